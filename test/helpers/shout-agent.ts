/**
 * An agent with one real tool and no model of its own: `helper` uses the
 * skill `shout`, a command tool (`tr a-z A-Z`, which upper-cases the JSON
 * input it reads on stdin). The HTTP suites pair it with a scripted model.
 */
export const SHOUT_AGENT = `skill "shout" {
  description "Upper-case a text"
  input {
    text string required
  }
  tool command {
    binary "/usr/bin/tr"
    args ["a-z", "A-Z"]
  }
}

agent "helper" {
  uses skill "shout"
  model "claude-haiku-4-5"
}
`;
