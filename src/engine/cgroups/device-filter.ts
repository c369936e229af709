/**
 * The cgroup v2 device controller: a BPF_PROG_TYPE_CGROUP_DEVICE program, generated here as raw
 * instructions (same shape as runc's devicefilter) and loaded by the addon.
 *
 * The program reads struct bpf_cgroup_dev_ctx { u32 access_type; u32 major; u32 minor; } where
 * access_type is (access << 16) | type, then tests one block per exception of the rule set as v1 would resolve it
 * (the last first, so later rules win) and falls through to the default. It returns 1 to allow.
 */
import { DeviceRule, resolveDeviceRules } from './devices';

export const BPF_INSTRUCTION_SIZE = 8;

// linux/bpf.h opcodes: class | operation | source.
export const BPF_LDX_MEM_W = 0x61; // BPF_LDX | BPF_MEM | BPF_W
export const BPF_ALU32_AND_K = 0x54; // BPF_ALU | BPF_AND | BPF_K
export const BPF_ALU32_RSH_K = 0x74; // BPF_ALU | BPF_RSH | BPF_K
export const BPF_ALU32_MOV_K = 0xb4; // BPF_ALU | BPF_MOV | BPF_K
export const BPF_ALU32_MOV_X = 0xbc; // BPF_ALU | BPF_MOV | BPF_X
export const BPF_JMP_JEQ_K = 0x15; // BPF_JMP | BPF_JEQ | BPF_K
export const BPF_JMP_JNE_K = 0x55; // BPF_JMP | BPF_JNE | BPF_K
export const BPF_JMP_JNE_X = 0x5d; // BPF_JMP | BPF_JNE | BPF_X
export const BPF_JMP_EXIT = 0x95; // BPF_JMP | BPF_EXIT

export const BPF_DEVCG_DEV_BLOCK = 1;
export const BPF_DEVCG_DEV_CHAR = 2;
export const BPF_DEVCG_ACC_MKNOD = 1;
export const BPF_DEVCG_ACC_READ = 2;
export const BPF_DEVCG_ACC_WRITE = 4;

// Registers: R1 holds the context on entry, R0 the return value; R2..R5 hold the decoded request.
const R0 = 0;
const R1 = 1;
const R_TYPE = 2;
const R_ACCESS = 3;
const R_MAJOR = 4;
const R_MINOR = 5;

interface Instruction {
  code: number;
  dst: number;
  src: number;
  /** Jump offset; "next" for a jump past the end of the current rule block. */
  offset: number | 'next';
  imm: number;
}

function instruction(code: number, dst: number, src: number, offset: number | 'next', imm: number): Instruction {
  return { code, dst, src, offset, imm };
}

function prologue(): Instruction[] {
  return [
    instruction(BPF_LDX_MEM_W, R_TYPE, R1, 0, 0),
    instruction(BPF_ALU32_AND_K, R_TYPE, 0, 0, 0xffff),
    instruction(BPF_LDX_MEM_W, R_ACCESS, R1, 0, 0),
    instruction(BPF_ALU32_RSH_K, R_ACCESS, 0, 0, 16),
    instruction(BPF_LDX_MEM_W, R_MAJOR, R1, 4, 0),
    instruction(BPF_LDX_MEM_W, R_MINOR, R1, 8, 0),
  ];
}

function accessMask(access: string): number {
  return (
    (access.includes('r') ? BPF_DEVCG_ACC_READ : 0) |
    (access.includes('w') ? BPF_DEVCG_ACC_WRITE : 0) |
    (access.includes('m') ? BPF_DEVCG_ACC_MKNOD : 0)
  );
}

const ALL_ACCESS = BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE | BPF_DEVCG_ACC_MKNOD;

/** Returns the rule's verdict if the request matches it, else jumps to the next block. Resolved rules are never of type "a". */
function ruleBlock(rule: DeviceRule): Instruction[] {
  const block = [
    instruction(BPF_JMP_JNE_K, R_TYPE, 0, 'next', rule.type === 'c' ? BPF_DEVCG_DEV_CHAR : BPF_DEVCG_DEV_BLOCK),
  ];
  const mask = accessMask(rule.access);
  if (mask !== ALL_ACCESS) {
    // As v1 does: an allow exception must cover every requested access bit ((access & mask) == access),
    // a deny exception refuses any request with one of its bits ((access & mask) != 0). R1 is free after the prologue.
    block.push(
      instruction(BPF_ALU32_MOV_X, R1, R_ACCESS, 0, 0),
      instruction(BPF_ALU32_AND_K, R1, 0, 0, mask),
      rule.allow ? instruction(BPF_JMP_JNE_X, R1, R_ACCESS, 'next', 0) : instruction(BPF_JMP_JEQ_K, R1, 0, 'next', 0),
    );
  }
  if (rule.major !== null) block.push(instruction(BPF_JMP_JNE_K, R_MAJOR, 0, 'next', rule.major));
  if (rule.minor !== null) block.push(instruction(BPF_JMP_JNE_K, R_MINOR, 0, 'next', rule.minor));
  block.push(instruction(BPF_ALU32_MOV_K, R0, 0, 0, rule.allow ? 1 : 0), instruction(BPF_JMP_EXIT, 0, 0, 0, 0));
  return block;
}

function encode(instructions: Instruction[]): Buffer {
  const buffer = Buffer.alloc(instructions.length * BPF_INSTRUCTION_SIZE);
  instructions.forEach((insn, index) => {
    if (insn.offset === 'next') throw new Error('device filter: unresolved jump');
    const at = index * BPF_INSTRUCTION_SIZE;
    buffer.writeUInt8(insn.code, at);
    buffer.writeUInt8((insn.src << 4) | insn.dst, at + 1);
    buffer.writeInt16LE(insn.offset, at + 2);
    buffer.writeInt32LE(insn.imm, at + 4);
  });
  return buffer;
}

/** The program for rules in config order, as struct bpf_insn[] (8 bytes each, little endian) for bpf(BPF_PROG_LOAD). */
export function compileDeviceFilter(rules: DeviceRule[]): Buffer {
  const resolved = resolveDeviceRules(rules);
  const program = prologue();
  for (const rule of [...resolved.exceptions].reverse()) {
    const block = ruleBlock(rule);
    // Jump offsets count from the instruction after the jump; "next" lands on the first one after the block.
    block.forEach((insn, index) => {
      if (insn.offset === 'next') insn.offset = block.length - 1 - index;
    });
    program.push(...block);
  }
  program.push(instruction(BPF_ALU32_MOV_K, R0, 0, 0, resolved.defaultAllow ? 1 : 0), instruction(BPF_JMP_EXIT, 0, 0, 0, 0));
  return encode(program);
}
