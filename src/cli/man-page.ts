/** cista(8) in roff, generated from the command table (src/build/man.ts writes dist/man/cista.8). */
import type { CommandSpec, OptionSpec } from './command';

/** roff escaping: backslashes, and a leading dot or quote that would read as a request. */
function roff(text: string): string {
  return text.replace(/\\/g, '\\e').replace(/-/g, '\\-').replace(/^([.'])/gm, '\\&$1');
}

function optionItems(options: Record<string, OptionSpec>): string {
  return Object.entries(options)
    .map(([name, o]) => {
      const names = [...(o.short ? [`\\fB\\-${o.short}\\fR`] : []), `\\fB\\-\\-${roff(name)}\\fR`].join(', ');
      const value = o.value ? ` \\fI${roff(o.value.replace(/^<(.*)>$/, '$1'))}\\fR` : '';
      return `.TP\n${names}${value}\n${roff(o.description)}${o.multiple ? ' (may be given more than once)' : ''}`;
    })
    .join('\n');
}

export function manPage(commands: readonly CommandSpec[], globals: Record<string, OptionSpec>, examples: string, version: string): string {
  const sections = commands.map((c) => {
    const positionals = c.trailing === undefined ? c.positionals : [...c.positionals, c.trailing];
    const args = positionals.map((p) => (p.required ? `\\fI${roff(p.name)}\\fR` : `[\\fI${roff(p.name)}\\fR]`)).join(' ');
    const options = Object.keys(c.options).length === 0 ? '' : `\n${optionItems(c.options)}`;
    return `.SS "${c.name}"\n.B cista ${c.name}\n[\\fIoptions\\fR] ${args}\n.PP\n${roff(c.summary)}.${options}`;
  });
  const exampleLines = examples
    .split('\n')
    .slice(1)
    .filter((line) => line.trim() !== '')
    .map((line) => roff(line.trim().replace(/\s{2,}/, '\n    # ')))
    .join('\n');
  return `.\\" Generated from cista's command table by src/build/man.ts; do not edit.
.TH CISTA 8 "" "cista ${version}" "System Administration"
.SH NAME
cista \\- a low\\-level OCI container runtime, a drop\\-in for runc
.SH SYNOPSIS
.B cista
[\\fIglobal options\\fR] \\fIcommand\\fR [\\fIoptions\\fR] [\\fIarguments\\fR]
.SH DESCRIPTION
cista creates and runs containers from OCI bundles (a root filesystem and a config.json), with
runc's commands and flags, so that containerd, Podman and Docker can use it in place of runc.
Every failure is one line on standard error (and in the \\fB\\-\\-log\\fR file), naming the JSON path of the
config field at fault where there is one.
.SH GLOBAL OPTIONS
${optionItems(globals)}
.SH COMMANDS
${sections.join('\n')}
.SH EXAMPLES
.nf
${exampleLines}
.fi
.SH FILES
.TP
.I /run/cista/ID/state.json
the state of container ID (under \\fB\\-\\-root\\fR)
.SH SEE ALSO
.BR runc (8),
.BR podman (1),
.BR containerd (8)
`;
}
