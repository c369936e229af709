import * as fs from 'node:fs';

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { LINGER_ENV, Lifetime, isAlive, lingerMs, startTimeOf } from '../../../src/shim/warm';

// A /proc/PID/stat line whose command's name holds spaces and parentheses: fields count after the last ')'.
const fields = (state: string, started: string): string =>
  `4242 (a (b) c) ${state} 1 ${Array.from({ length: 17 }, (_, i) => i + 5).join(' ')} ${started} 9 9 9`;

describe("the warm shim's process checks", () => {
  it('reads the start time (field 22) after the command name, and this process is alive', () => {
    expect(startTimeOf(fields('S', '777'))).toBe('777');
    const self = fs.readFileSync('/proc/self/stat', 'utf8');
    expect(isAlive(self, startTimeOf(self))).toBe(true);
  });

  it('takes a zombie, a dead process and another start time for not alive', () => {
    expect(isAlive(fields('S', '777'), '777')).toBe(true);
    expect(isAlive(fields('Z', '777'), '777')).toBe(false);
    expect(isAlive(fields('X', '777'), '777')).toBe(false);
    expect(isAlive(fields('S', '778'), '777')).toBe(false);
  });
});

describe('the linger', () => {
  it('is 30 s by default, CISTA_SHIM_LINGER seconds otherwise, and a bad value warns and keeps the default', () => {
    const warn = vi.fn();
    expect(lingerMs({}, warn)).toBe(30_000);
    expect(lingerMs({ [LINGER_ENV]: '1.5' }, warn)).toBe(1500);
    expect(lingerMs({ [LINGER_ENV]: '0' }, warn)).toBe(0);
    expect(warn).not.toHaveBeenCalled();
    expect(lingerMs({ [LINGER_ENV]: 'soon' }, warn)).toBe(30_000);
    expect(lingerMs({ [LINGER_ENV]: '-1' }, warn)).toBe(30_000);
    expect(warn.mock.calls.map(([m]) => m)).toEqual([
      'CISTA_SHIM_LINGER=soon: not a number of seconds >= 0; lingering 30 s',
      'CISTA_SHIM_LINGER=-1: not a number of seconds >= 0; lingering 30 s',
    ]);
  });
});

describe("a shim's lifetime", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  const warm = () => {
    const events: string[] = [];
    // As PublishedAddress: publishing what is there already writes nothing.
    let published = false;
    const address = {
      publish: () => {
        if (!published) events.push('publish');
        published = true;
      },
      unpublish: () => {
        events.push('unpublish');
        published = false;
      },
    };
    const lifetime = Lifetime.warm(address, 1000, () => events.push('exit'));
    return { events, lifetime };
  };

  it('idle: publishes, unpublishes after the linger, exits after the grace', () => {
    const { events, lifetime } = warm();
    lifetime.idle();
    expect(events).toEqual(['publish']);
    vi.advanceTimersByTime(999);
    expect(events).toEqual(['publish']);
    vi.advanceTimersByTime(1);
    expect(events).toEqual(['publish', 'unpublish']);
    vi.advanceTimersByTime(4999);
    expect(events).toEqual(['publish', 'unpublish']);
    vi.advanceTimersByTime(1);
    expect(events).toEqual(['publish', 'unpublish', 'unpublish', 'exit']);
  });

  it('a Create in the linger calls the exit off; one in the grace publishes again', () => {
    const { events, lifetime } = warm();
    lifetime.idle();
    vi.advanceTimersByTime(500);
    lifetime.busy();
    vi.advanceTimersByTime(60_000);
    expect(events).toEqual(['publish']);
    lifetime.idle();
    vi.advanceTimersByTime(1000 + 2000);
    lifetime.busy();
    vi.advanceTimersByTime(60_000);
    expect(events).toEqual(['publish', 'unpublish', 'publish']);
  });

  it('a new connection while idle starts the linger again (a start that found the shim); while busy it changes nothing', () => {
    const { events, lifetime } = warm();
    lifetime.touched();
    vi.advanceTimersByTime(60_000);
    expect(events).toEqual([]);
    lifetime.idle();
    vi.advanceTimersByTime(1000 + 4000);
    lifetime.touched();
    expect(events).toEqual(['publish', 'unpublish', 'publish']);
    vi.advanceTimersByTime(1000 + 5000);
    expect(events.at(-1)).toBe('exit');
  });

  it("a pod's shim publishes nothing and exits once idle", () => {
    const exit = vi.fn();
    const lifetime = new Lifetime({ lingerMs: 0, exit });
    lifetime.idle();
    vi.runAllTimers();
    expect(exit).toHaveBeenCalledOnce();
  });
});
