/**
 * Valid IntentLang packages of any size, built from one ~40-line unit
 * repeated with its own names: the language bench compiles them at 1k to 100k
 * lines, and the tree-store suite reuses storage across them.
 */

/** One ~40-line unit: a type, a prompt with variables, a skill with an http tool, an agent, a pipeline. */
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

agent "a-${i}" {
  uses prompt "p-${i}"
  uses skill "s-${i}"
  model "claude-sonnet-4-20250514"
  max_turns 5
  memory { strategy "summary" max_messages 20 }
}

pipeline "pl-${i}" {
  step "one" { agent "a-${i}" input "{{trigger.x}}" }
  step "two" { agent "a-${i}" depends_on ["one"] }
}
`;
}

/** A valid package of about `lines` lines. */
export function generatePackage(lines: number): string {
  const parts = ['package "bench" version "1.0.0" lang "2.0"\n'];
  const per = unit(0).split('\n').length;
  for (let i = 0; i * per < lines; i++) parts.push(unit(i));
  return parts.join('\n');
}
