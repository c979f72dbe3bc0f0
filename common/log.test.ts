// The JSON-line logger both programs write with: the line format, level filtering, child fields, errors.
import { jsonLogger } from './log.js';

function capture(level: Parameters<typeof jsonLogger>[0], base = {}) {
  const lines: string[] = [];
  return { lines, log: jsonLogger(level, base, (line) => lines.push(line)) };
}

describe('jsonLogger', () => {
  it('writes one JSON object per line: time, level, msg, then the fields', () => {
    const { lines, log } = capture('info', { program: 'tern-server' });
    log.info('model ready', { model: 'species', workers: 2 });
    expect(lines).toHaveLength(1);
    expect(Object.keys(JSON.parse(lines[0]!) as object)).toEqual(['time', 'level', 'msg', 'program', 'model', 'workers']);
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 'info', msg: 'model ready', program: 'tern-server', model: 'species', workers: 2 });
    expect(new Date((JSON.parse(lines[0]!) as { time: string }).time).toISOString()).toBe((JSON.parse(lines[0]!) as { time: string }).time);
  });

  it('drops lines below its level; debug writes every level', () => {
    const info = capture('info');
    info.log.debug('hidden');
    info.log.warn('shown');
    expect(info.lines.map((l) => (JSON.parse(l) as { msg: string }).msg)).toEqual(['shown']);
    const debug = capture('debug');
    debug.log.debug('predict input');
    expect(debug.lines).toHaveLength(1);
  });

  it('writes an Error field as its message, and a child adds its fields to every line', () => {
    const { lines, log } = capture('info');
    log.child({ key: 'ml/fraud' }).error('reconcile failed', { err: new Error('etcdserver: leader changed') });
    expect(JSON.parse(lines[0]!)).toMatchObject({ key: 'ml/fraud', err: 'etcdserver: leader changed' });
  });
});
