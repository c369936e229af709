import { describe, expect, it } from 'vitest';
import {
  BPF_ALU32_AND_K,
  BPF_ALU32_MOV_K,
  BPF_ALU32_MOV_X,
  BPF_ALU32_RSH_K,
  BPF_DEVCG_ACC_MKNOD,
  BPF_DEVCG_ACC_READ,
  BPF_DEVCG_DEV_BLOCK,
  BPF_DEVCG_DEV_CHAR,
  BPF_INSTRUCTION_SIZE,
  BPF_JMP_EXIT,
  BPF_JMP_JEQ_K,
  BPF_JMP_JNE_K,
  BPF_JMP_JNE_X,
  BPF_LDX_MEM_W,
  compileDeviceFilter,
} from '../../../src/engine/cgroups/device-filter';
import { defaultAllowedDevices, DeviceRule } from '../../../src/engine/cgroups/devices';

interface Decoded {
  code: number;
  dst: number;
  src: number;
  off: number;
  imm: number;
}

function decode(program: Buffer): Decoded[] {
  expect(program.length % BPF_INSTRUCTION_SIZE).toBe(0);
  const out: Decoded[] = [];
  for (let at = 0; at < program.length; at += BPF_INSTRUCTION_SIZE) {
    out.push({
      code: program.readUInt8(at),
      dst: program.readUInt8(at + 1) & 0xf,
      src: program.readUInt8(at + 1) >> 4,
      off: program.readInt16LE(at + 2),
      imm: program.readInt32LE(at + 4),
    });
  }
  return out;
}

const insn = (code: number, dst: number, src: number, off: number, imm: number): Decoded => ({ code, dst, src, off, imm });

const PROLOGUE = [
  insn(BPF_LDX_MEM_W, 2, 1, 0, 0),
  insn(BPF_ALU32_AND_K, 2, 0, 0, 0xffff),
  insn(BPF_LDX_MEM_W, 3, 1, 0, 0),
  insn(BPF_ALU32_RSH_K, 3, 0, 0, 16),
  insn(BPF_LDX_MEM_W, 4, 1, 4, 0),
  insn(BPF_LDX_MEM_W, 5, 1, 8, 0),
];

/** Runs the program on one request, as the kernel would: returns 1 (allow) or 0 (deny). */
function run(program: Decoded[], type: number, access: number, major: number, minor: number): number {
  const ctx = [(access << 16) | type, major, minor];
  const reg = new Array<number>(11).fill(0);
  for (let pc = 0; pc < program.length; pc++) {
    const { code, dst, src, off, imm } = program[pc];
    switch (code) {
      case BPF_LDX_MEM_W: reg[dst] = ctx[off / 4]; break;
      case BPF_ALU32_AND_K: reg[dst] = (reg[dst] & imm) >>> 0; break;
      case BPF_ALU32_RSH_K: reg[dst] = reg[dst] >>> imm; break;
      case BPF_ALU32_MOV_K: reg[dst] = imm >>> 0; break;
      case BPF_ALU32_MOV_X: reg[dst] = reg[src]; break;
      case BPF_JMP_JEQ_K: if (reg[dst] === imm >>> 0) pc += off; break;
      case BPF_JMP_JNE_K: if (reg[dst] !== imm >>> 0) pc += off; break;
      case BPF_JMP_JNE_X: if (reg[dst] !== reg[src]) pc += off; break;
      case BPF_JMP_EXIT: return reg[0];
      default: throw new Error(`unknown opcode ${code}`);
    }
    expect(pc).toBeLessThan(program.length);
  }
  throw new Error('fell off the end');
}

const denyAll: DeviceRule = { allow: false, type: 'a', major: null, minor: null, access: 'rwm' };
const allowAll: DeviceRule = { allow: true, type: 'a', major: null, minor: null, access: 'rwm' };
const READ = BPF_DEVCG_ACC_READ;
const MKNOD = BPF_DEVCG_ACC_MKNOD;

describe('compileDeviceFilter', () => {
  it('with no rules: prologue, then deny', () => {
    expect(decode(compileDeviceFilter([]))).toEqual([...PROLOGUE, insn(BPF_ALU32_MOV_K, 0, 0, 0, 0), insn(BPF_JMP_EXIT, 0, 0, 0, 0)]);
  });

  it('allow-all with one denied device: one block returning 0, then default allow', () => {
    const program = decode(compileDeviceFilter([allowAll, { allow: false, type: 'c', major: 1, minor: 3, access: 'rwm' }]));
    expect(program).toEqual([
      ...PROLOGUE,
      insn(BPF_JMP_JNE_K, 2, 0, 4, BPF_DEVCG_DEV_CHAR),
      insn(BPF_JMP_JNE_K, 4, 0, 3, 1),
      insn(BPF_JMP_JNE_K, 5, 0, 2, 3),
      insn(BPF_ALU32_MOV_K, 0, 0, 0, 0),
      insn(BPF_JMP_EXIT, 0, 0, 0, 0),
      insn(BPF_ALU32_MOV_K, 0, 0, 0, 1),
      insn(BPF_JMP_EXIT, 0, 0, 0, 0),
    ]);
  });

  it('checks access only for partial access, and skips wildcard numbers', () => {
    const program = decode(compileDeviceFilter([{ allow: true, type: 'b', major: null, minor: null, access: 'm' }]));
    expect(program.slice(PROLOGUE.length)).toEqual([
      insn(BPF_JMP_JNE_K, 2, 0, 5, BPF_DEVCG_DEV_BLOCK),
      insn(BPF_ALU32_MOV_X, 1, 3, 0, 0),
      insn(BPF_ALU32_AND_K, 1, 0, 0, MKNOD),
      insn(BPF_JMP_JNE_X, 1, 3, 2, 0),
      insn(BPF_ALU32_MOV_K, 0, 0, 0, 1),
      insn(BPF_JMP_EXIT, 0, 0, 0, 0),
      insn(BPF_ALU32_MOV_K, 0, 0, 0, 0),
      insn(BPF_JMP_EXIT, 0, 0, 0, 0),
    ]);
  });

  it("enforces runc's default device list", () => {
    const program = decode(compileDeviceFilter([denyAll, ...defaultAllowedDevices()]));
    const CHAR = BPF_DEVCG_DEV_CHAR;
    const BLOCK = BPF_DEVCG_DEV_BLOCK;
    expect(run(program, CHAR, READ, 1, 3)).toBe(1); // /dev/null
    expect(run(program, CHAR, READ | BPF_DEVCG_ACC_MKNOD, 136, 7)).toBe(1); // a pty
    expect(run(program, CHAR, READ, 4, 1)).toBe(0); // tty1
    expect(run(program, CHAR, MKNOD, 4, 1)).toBe(1); // mknod anything
    expect(run(program, BLOCK, MKNOD, 8, 0)).toBe(1);
    expect(run(program, BLOCK, READ, 8, 0)).toBe(0); // sda
    expect(run(program, BLOCK, READ, 1, 3)).toBe(0); // block 1:3 is not /dev/null
  });

  it('lets later rules win', () => {
    const program = decode(
      compileDeviceFilter([allowAll, { allow: false, type: 'c', major: 1, minor: 3, access: 'rwm' }, { allow: true, type: 'c', major: 1, minor: 3, access: 'r' }]),
    );
    expect(run(program, BPF_DEVCG_DEV_CHAR, READ, 1, 3)).toBe(1);
    expect(run(program, BPF_DEVCG_DEV_CHAR, BPF_DEVCG_ACC_READ | 4, 1, 3)).toBe(0);
    expect(run(program, BPF_DEVCG_DEV_CHAR, READ, 1, 5)).toBe(1);
  });

  it('denies a request with any access bit a deny exception names, as v1 does', () => {
    const program = decode(compileDeviceFilter([allowAll, { allow: false, type: 'c', major: 1, minor: 3, access: 'w' }]));
    expect(program.slice(PROLOGUE.length, PROLOGUE.length + 4)).toEqual([
      insn(BPF_JMP_JNE_K, 2, 0, 7, BPF_DEVCG_DEV_CHAR),
      insn(BPF_ALU32_MOV_X, 1, 3, 0, 0),
      insn(BPF_ALU32_AND_K, 1, 0, 0, 4),
      insn(BPF_JMP_JEQ_K, 1, 0, 4, 0),
    ]);
    expect(run(program, BPF_DEVCG_DEV_CHAR, READ | 4, 1, 3)).toBe(0);
    expect(run(program, BPF_DEVCG_DEV_CHAR, READ, 1, 3)).toBe(1);
  });
});
