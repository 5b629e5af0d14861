/** Headless Chromium for the browser suites: the provisioned binary, without sandbox (tests run as root) or background traffic. */
import { chromium, type Browser } from 'playwright-core';
import { requireCommand } from '../helpers/require-system.js';

export async function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: requireCommand('chromium'),
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', ...extraArgs],
  });
}
