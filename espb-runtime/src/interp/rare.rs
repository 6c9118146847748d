//! Rare instructions whose work is a call (software `fma`, the atomics
//! through `LinearMemory`): written as slow paths, so that the dispatch
//! state is kept around that call in `slow_op` only, not in each.

use super::*;

slow_handlers! {
    fn F32Fma(m, pc, regs) {
        let (a, b, c) = (f32_of(rr(pc, regs, at!(F32Fma.a))), f32_of(rr(pc, regs, at!(F32Fma.b))), f32_of(rr(pc, regs, at!(F32Fma.c))));
        wr(pc, regs, at!(F32Fma.dst), bf32(crate::fma::fmaf(a, b, c)));
        Ok(const { O::F32Fma.fixed_size() })
    }
    fn F64Fma(m, pc, regs) {
        let (a, b, c) = (f64_of(rr(pc, regs, at!(F64Fma.a))), f64_of(rr(pc, regs, at!(F64Fma.b))), f64_of(rr(pc, regs, at!(F64Fma.c))));
        wr(pc, regs, at!(F64Fma.dst), bf64(crate::fma::fma(a, b, c)));
        Ok(const { O::F64Fma.fixed_size() })
    }
    fn AtomicLoad(m, pc, regs) {
        let v = m.atomic_load(rr(pc, regs, at!(AtomicLoad.addr)) as u32, pc.u8(at!(AtomicLoad.width)))?;
        wr(pc, regs, at!(AtomicLoad.dst), v);
        Ok(const { O::AtomicLoad.fixed_size() })
    }
    fn AtomicStore(m, pc, regs) {
        m.atomic_store(rr(pc, regs, at!(AtomicStore.addr)) as u32, pc.u8(at!(AtomicStore.width)), rr(pc, regs, at!(AtomicStore.src)))?;
        Ok(const { O::AtomicStore.fixed_size() })
    }
    fn AtomicRmw(m, pc, regs) {
        let kind = pc.u8(at!(AtomicRmw.kind));
        // The validator proved the operation field is a known AtomicOp.
        let aop = AtomicOp::from_u8(kind >> 2).unwrap_or(AtomicOp::Xchg);
        let v = m.atomic_rmw(rr(pc, regs, at!(AtomicRmw.addr)) as u32, kind & 3, aop, rr(pc, regs, at!(AtomicRmw.src)))?;
        wr(pc, regs, at!(AtomicRmw.dst), v);
        Ok(const { O::AtomicRmw.fixed_size() })
    }
    fn AtomicCmpxchg(m, pc, regs) {
        let v = m.atomic_cmpxchg(rr(pc, regs, at!(AtomicCmpxchg.addr)) as u32, pc.u8(at!(AtomicCmpxchg.width)), rr(pc, regs, at!(AtomicCmpxchg.expected)), rr(pc, regs, at!(AtomicCmpxchg.new)))?;
        wr(pc, regs, at!(AtomicCmpxchg.dst), v);
        Ok(const { O::AtomicCmpxchg.fixed_size() })
    }
}
