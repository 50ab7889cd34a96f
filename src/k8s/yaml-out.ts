// Multi-document YAML with comments, as kubectl apply -f reads it.
import { stringify } from 'yaml';

const comment = (lines: string[]) => lines.map((l) => (l ? `# ${l}` : '#')).join('\n');

/** Documents separated by "---", a comment block before the first and after the last. */
export function multiDocYaml(docs: object[], head: string[] = [], tail: string[] = []): string {
  const body = docs.map((d) => stringify(d, { lineWidth: 0, aliasDuplicateObjects: false })).join('---\n');
  return `${head.length ? `${comment(head)}\n` : ''}${body}${tail.length ? `${comment(tail)}\n` : ''}`;
}

/** One YAML document (a Prometheus config) with a comment on top. */
export function yamlDoc(doc: object, head: string[] = []): string {
  return `${head.length ? `${comment(head)}\n` : ''}${stringify(doc, { lineWidth: 0, aliasDuplicateObjects: false })}`;
}
