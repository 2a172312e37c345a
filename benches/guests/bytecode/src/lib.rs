//! A tiny stack-machine interpreter: branchy dispatch on every step.

#[derive(Clone, Copy)]
enum Op {
    Push(i64),
    Load(u8),
    Store(u8),
    Add,
    Sub,
    Mul,
    Xor,
    Shr(u8),
    Dup,
    JumpIfNonZero(u16),
    Jump(u16),
    Halt,
}

fn exec(code: &[Op], regs: &mut [i64; 8]) -> i64 {
    let mut stack = [0i64; 32];
    let mut sp = 0usize;
    let mut pc = 0usize;
    loop {
        match code[pc] {
            Op::Push(v) => {
                stack[sp] = v;
                sp += 1;
            }
            Op::Load(r) => {
                stack[sp] = regs[r as usize];
                sp += 1;
            }
            Op::Store(r) => {
                sp -= 1;
                regs[r as usize] = stack[sp];
            }
            Op::Add => {
                sp -= 1;
                stack[sp - 1] = stack[sp - 1].wrapping_add(stack[sp]);
            }
            Op::Sub => {
                sp -= 1;
                stack[sp - 1] = stack[sp - 1].wrapping_sub(stack[sp]);
            }
            Op::Mul => {
                sp -= 1;
                stack[sp - 1] = stack[sp - 1].wrapping_mul(stack[sp]);
            }
            Op::Xor => {
                sp -= 1;
                stack[sp - 1] ^= stack[sp];
            }
            Op::Shr(k) => stack[sp - 1] = ((stack[sp - 1] as u64) >> k) as i64,
            Op::Dup => {
                stack[sp] = stack[sp - 1];
                sp += 1;
            }
            Op::JumpIfNonZero(t) => {
                sp -= 1;
                if stack[sp] != 0 {
                    pc = t as usize;
                    continue;
                }
            }
            Op::Jump(t) => {
                pc = t as usize;
                continue;
            }
            Op::Halt => return regs[1],
        }
        pc += 1;
    }
}

/// Runs a hash loop of `n` iterations in the tiny VM and returns its result.
#[no_mangle]
pub extern "C" fn run(n: i32) -> i64 {
    use Op::*;
    // r0 = counter, r1 = hash.
    let code = [
        /* 0 */ Load(0),
        /* 1 */ JumpIfNonZero(3),
        /* 2 */ Halt,
        /* 3 */ Load(1),
        /* 4 */ Push(0x100000001b3),
        /* 5 */ Mul,
        /* 6 */ Load(0),
        /* 7 */ Xor,
        /* 8 */ Dup,
        /* 9 */ Shr(29),
        /* 10 */ Xor,
        /* 11 */ Load(0),
        /* 12 */ Add,
        /* 13 */ Store(1),
        /* 14 */ Load(0),
        /* 15 */ Push(1),
        /* 16 */ Sub,
        /* 17 */ Store(0),
        /* 18 */ Jump(0),
    ];
    let mut regs = [0i64; 8];
    regs[0] = core::hint::black_box(n as i64);
    regs[1] = 0xcbf29ce484222325u64 as i64;
    exec(core::hint::black_box(&code), &mut regs)
}
