/** The statements of a one-agent package whose only tool is inline python (`double`), for the suites about inline code on each target. */
export function inlineCalcStatements(description = 'Double a number'): string {
  return `skill "double" {
  description "${description}"
  input {
    n number required
  }
  tool inline {
    language "python"
    code "import json, sys\\nprint(json.dumps({'twice': json.load(sys.stdin)['n'] * 2}))"
    timeout "10s"
    memory "128Mi"
  }
}

agent "calc" {
  uses skill "double"
  model "claude-haiku-4-5"
}
`;
}
