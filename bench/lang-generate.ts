/**
 * Generated IntentLang 3.0 input for the language bench: a one-file package of
 * any size built from one ~100-line unit repeated with its own names, and a
 * graph of files importing each other (aliased and not) held in memory.
 */

/**
 * One unit: a type, a prompt, two skills, a guardrail, a pipeline and an
 * agent that writes every 3.0 agent block the way a real package does —
 * config parameters, validate rules with `when` expressions, eval cases and
 * an `on input` flow with an if / else if / else chain.
 */
function unit(i: number): string {
  return `type "order-${i}" {
  id string required
  total number
  created timestamp
}

prompt "p-${i}" {
  content "You help {{customer}} with order ${i}."
  variables {
    customer string required
  }
}

skill "s-${i}" {
  description "Look up order ${i}"
  input {
    id string required
  }
  output {
    order "order-${i}"
  }
  tool http {
    method "GET"
    url "http://127.0.0.1:9/orders/{{id}}"
    timeout "5s"
  }
}

skill "refund-${i}" {
  description "Refund order ${i}"
  input {
    id string required
  }
  tool command {
    binary "echo"
    args ["refund", "{{id}}"]
  }
}

guardrail "g-${i}" {
  mode "block"
  keywords ["password", "credit card"]
  patterns ["\\\\b\\\\d{16}\\\\b"]
  fallback "I cannot share that."
}

agent "a-${i}" {
  uses prompt "p-${i}"
  uses skill "s-${i}"
  uses skill "refund-${i}"
  uses guardrail "g-${i}"
  model "claude-sonnet-4-20250514"
  max_turns 5
  config {
    greeting string default "Hello from desk ${i}"
      "First line of an answer"
    max_length int default "800"
      "Longest answer"
    api_key string required secret
      "Key of the order API"
  }
  validate {
    rule not_empty error
      "The answer must not be empty"
      when output != ""
    rule short warning max_retries 2
      "Keep answers short"
      when len(output) <= int(config.max_length)
  }
  eval {
    case greeting
      input "Hello"
      expect "Hello"
      scoring contains
    case refund
      input "Refund order ${i}"
      expect "refund"
      scoring semantic threshold 0.7
      tags ["support"]
  }
  on input {
    if input == "hello" {
      respond config.greeting
    } else if input contains "refund" {
      use skill refund-${i} with { id: session.order_id }
      respond "Your refund is on its way."
    } else if len(input) > 2000 {
      respond "Please shorten your message."
    } else {
      use skill s-${i} with { id: input }
    }
  }
}

pipeline "pl-${i}" {
  step "one" { agent "a-${i}" input "{{trigger.x}}" }
  step "two" { agent "a-${i}" depends_on ["one"] }
}
`;
}

/** A valid 3.0 package of about `lines` lines. */
export function generatePackageV3(lines: number): string {
  const parts = ['package "bench" version "1.0.0" lang "3.0"\n'];
  const per = unit(0).split('\n').length;
  for (let i = 0; i * per < lines; i++) parts.push(unit(i));
  return parts.join('\n');
}

/** The file name of module `k` of an import graph. */
export const moduleFile = (k: number): string => (k === 0 ? 'main.ias' : `lib/m${k}.ias`);

/**
 * `files` files importing each other: files 0 … n-2 form a tree where file k
 * imports file 2k+1 plainly and file 2k+2 under the alias `m<2k+2>` (so
 * aliases nest: `m2.m6.`); the last file is a shared library that every
 * file reached by plain imports only also imports (a diamond, read once).
 * Each file's agent uses the skills it imports, by plain and by qualified
 * name. Returns the files by path, the entry (`main.ias`) first.
 */
export function generateImportGraph(files: number): Map<string, string> {
  const out = new Map<string, string>();
  const shared = files - 1;
  const plainOnly = new Set<number>([0]);
  for (let k = 0; k < files; k++) {
    const plain = 2 * k + 1 < shared ? 2 * k + 1 : undefined;
    const aliased = 2 * k + 2 < shared ? 2 * k + 2 : undefined;
    if (plain !== undefined && plainOnly.has(k)) plainOnly.add(plain);
    const common = plainOnly.has(k) && k < shared ? shared : undefined;
    const rel = (j: number) => (k === 0 ? `./${moduleFile(j)}` : `./m${j}.ias`);
    const imports = [
      plain === undefined ? '' : `import "${rel(plain)}"\n`,
      aliased === undefined ? '' : `import "${rel(aliased)}" as m${aliased}\n`,
      common === undefined ? '' : `import "${rel(common)}"\n`,
    ].join('');
    const uses = [
      plain === undefined ? '' : `  uses skill "s-${plain}"\n`,
      aliased === undefined ? '' : `  uses skill "m${aliased}.s-${aliased}"\n`,
      common === undefined ? '' : `  uses skill "s-${common}"\n`,
    ].join('');
    const body = unit(k).replace(`  uses skill "s-${k}"\n`, `  uses skill "s-${k}"\n${uses}`);
    out.set(moduleFile(k), `package "m${k}" version "1.0.0" lang "3.0"\n\n${imports}\n${body}`);
  }
  return out;
}
