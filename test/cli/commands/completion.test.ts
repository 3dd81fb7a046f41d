import { spawnSync } from 'child_process';
import fs from 'fs';
import os from 'os';
import path from 'path';
import { completionTree } from '../../../src/cli/commands/completion';
import { runCli } from './run-cli';

/** What bash completes for the words (the last one is being typed), with the generated script. */
function bashComplete(script: string, words: string[]): string[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rasgw-comp-'));
  try {
    fs.writeFileSync(path.join(dir, 'c.bash'), script);
    const arr = words.map((w) => `'${w}'`).join(' ');
    const r = spawnSync('bash', ['-c', `source ${dir}/c.bash; COMP_WORDS=(${arr}); COMP_CWORD=${words.length - 1}; _rasgw; printf '%s\\n' "\${COMPREPLY[@]}"`], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(r.stderr);
    return r.stdout.split('\n').filter((l) => l !== '');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('rasgw completion', () => {
  it('knows every command, subcommand, option and choice', () => {
    const tree = completionTree();
    expect(tree[0].subcommands).toEqual(expect.arrayContaining(['decode', 'dump', 'inject', 'vm', 'log', 'records', 'completion', 'serve']));
    expect(tree.find((n) => n.path.join(' ') === 'vm')!.subcommands).toEqual(['create', 'list', 'show', 'reboot', 'delete']);
    expect(tree.find((n) => n.path.join(' ') === 'vm create')!.values['--profile']).toEqual(['qemu-7.2-virt', 'qemu-10.2-virt', 'extended']);
  });

  it('bash: commands, subcommands, options and option values complete', async () => {
    const r = await runCli(['completion', 'bash']);
    expect(r.code).toBe(0);
    const script = r.stdout.toString();
    expect(script).toMatch(/complete -o default -F _rasgw rasgw\n$/);
    expect(bashComplete(script, ['rasgw', 're'])).toEqual(['records']);
    expect(bashComplete(script, ['rasgw', 'vm', ''])).toEqual(['create', 'list', 'show', 'reboot', 'delete']);
    expect(bashComplete(script, ['rasgw', 'vm', 'create', '--pers'])).toEqual(['--personality']);
    expect(bashComplete(script, ['rasgw', 'vm', 'create', '--personality', ''])).toEqual(['apei-sei', 'linux']);
    expect(bashComplete(script, ['rasgw', 'decode', '--format', 't'])).toEqual(['text']);
    expect(bashComplete(script, ['rasgw', 'inject', '--notify', 's'])).toEqual(['sci', 'sea', 'sei', 'sdei']);
  });

  it('bash: the values of inject\'s own-parsed options complete too (they completed file names)', async () => {
    const script = (await runCli(['completion', 'bash'])).stdout.toString();
    expect(bashComplete(script, ['rasgw', 'inject', '--severity', ''])).toEqual(['recoverable', 'fatal', 'corrected', 'none']);
    expect(bashComplete(script, ['rasgw', 'inject', '--block-status', 'multi'])).toEqual(['multi-uncorrectable', 'multi-correctable']);
    expect(bashComplete(script, ['rasgw', 'inject', '-t', ''])).toEqual(['cache', 'tlb', 'bus', 'micro-arch']);
    expect(completionTree().find((n) => n.path.join(' ') === 'inject')!.values['--gedb-flags']).toEqual(['recovered', 'prev-error', 'simulated']);
  });

  it('zsh: a #compdef script with the same tree; other shells are refused', async () => {
    const z = (await runCli(['completion', 'zsh'])).stdout.toString();
    expect(z.startsWith('#compdef rasgw\n')).toBe(true);
    expect(z).toContain("'vm create')");
    expect(z).toContain("--personality) compadd -- 'apei-sei' 'linux'; return ;;");
    const bad = await runCli(['completion', 'fish']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/Allowed choices are bash, zsh/);
  });
});
