//! `driver/gpio.h` on simulated pins: levels are stored, inputs are driven by
//! the embedder (a schedule in `HostConfig::gpio_inputs`, or
//! `HostHandle::drive` at run time), and edges fire the registered ISR
//! handlers on the "gpio_isr" task, which outranks every FreeRTOS priority as
//! an interrupt does.

use crate::imports::Caller;
use crate::trap::Trap;

use super::api::{
    a32, module_func, ret, Imp, ESP_ERR_INVALID_ARG, ESP_ERR_INVALID_STATE, ESP_OK, R,
};
use super::kernel::{self, Kernel, State, TaskId, WaitOn};
use super::objects::{GpioInput, Pin};

pub(crate) const TABLE: &[(&str, &str, Imp)] = &[
    ("gpio_config", "(ptr) -> i32", config),
    ("gpio_reset_pin", "(i32) -> i32", reset_pin),
    ("gpio_set_level", "(i32, i32) -> i32", set_level),
    ("gpio_get_level", "(i32) -> i32", get_level),
    ("gpio_set_direction", "(i32, i32) -> i32", set_direction),
    ("gpio_set_pull_mode", "(i32, i32) -> i32", set_pull_mode),
    ("gpio_set_intr_type", "(i32, i32) -> i32", set_intr_type),
    ("gpio_intr_enable", "(i32) -> i32", intr_enable),
    ("gpio_intr_disable", "(i32) -> i32", intr_disable),
    (
        "gpio_install_isr_service",
        "(i32) -> i32",
        install_isr_service,
    ),
    ("gpio_uninstall_isr_service", "()", uninstall_isr_service),
    (
        "gpio_isr_handler_add",
        "(i32, ptr, ptr) -> i32",
        isr_handler_add,
    ),
    (
        "gpio_isr_handler_remove",
        "(i32) -> i32",
        isr_handler_remove,
    ),
];

/// `GPIO_NUM_MAX` of the ESP32-C3.
pub const NUM_PINS: u32 = 22;

const MODE_INPUT: u32 = 1;
const MODE_OUTPUT: u32 = 2;

fn level_of(p: &Pin) -> bool {
    if let Some(d) = p.driven {
        d
    } else if p.mode & MODE_OUTPUT != 0 {
        p.out_level
    } else {
        p.pull_up && !p.pull_down
    }
}

/// Re-evaluates pin `n` after a change: records level changes and queues the
/// ISR handler when the edge matches the pin's interrupt type.
pub(crate) fn update(k: &Kernel, st: &mut State, n: u32) {
    let now = k.now(st);
    let installed = st.ext.isr_service;
    let Some(p) = st.ext.pins.get_mut(n as usize) else {
        return;
    };
    let new = level_of(p);
    if new == p.last_level {
        return;
    }
    p.last_level = new;
    let fire = match p.intr_type {
        1 => new,
        2 => !new,
        3 => true,
        4 => !new,
        5 => new,
        _ => false,
    };
    let handler = p.isr.filter(|_| fire && p.intr_enabled && installed);
    st.ext.gpio_trace.push((now, n, new));
    if let Some(h) = handler {
        st.ext.isr_queue.push_back(h);
        let svc = st.isr_svc;
        kernel::kick(st, svc);
    }
}

/// Runs `f` on pin `n` (invalid pins return ESP_ERR_INVALID_ARG), then
/// re-evaluates its level.
fn with_pin(k: &Kernel, n: u32, f: impl FnOnce(&mut Pin)) -> R {
    let (mut g, me) = k.enter_any()?;
    if n >= NUM_PINS {
        return ret(ESP_ERR_INVALID_ARG);
    }
    ensure_pins(&mut g);
    f(&mut g.ext.pins[n as usize]);
    update(k, &mut g, n);
    drop(k.maybe_preempt_any(g, me)?);
    ret(ESP_OK)
}

pub(crate) fn ensure_pins(st: &mut State) {
    if st.ext.pins.is_empty() {
        st.ext.pins = vec![Pin::default(); NUM_PINS as usize];
    }
}

/// `gpio_config_t`: pin_bit_mask (u64) at 0, mode at 8, pull_up_en at 12,
/// pull_down_en at 16, intr_type at 20.
fn config(k: &Kernel, c: &mut Caller<'_>, a: &[u64]) -> R {
    let p = a32(a, 0);
    let mut b = [0u8; 24];
    c.read(p, &mut b)?;
    let w = |o: usize| u32::from_le_bytes([b[o], b[o + 1], b[o + 2], b[o + 3]]);
    let mask = u64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]);
    let (mode, up, down, intr) = (w(8), w(12) != 0, w(16) != 0, w(20));
    if mask == 0 || mask >> NUM_PINS != 0 || intr > 5 {
        return ret(ESP_ERR_INVALID_ARG);
    }
    let (mut g, me) = k.enter_any()?;
    ensure_pins(&mut g);
    for n in 0..NUM_PINS {
        if mask & (1 << n) != 0 {
            let pin = &mut g.ext.pins[n as usize];
            pin.mode = mode;
            pin.pull_up = up;
            pin.pull_down = down;
            pin.intr_type = intr;
            pin.intr_enabled = intr != 0;
            update(k, &mut g, n);
        }
    }
    drop(k.maybe_preempt_any(g, me)?);
    ret(ESP_OK)
}

fn reset_pin(k: &Kernel, _c: &mut Caller<'_>, a: &[u64]) -> R {
    with_pin(k, a32(a, 0), |p| {
        *p = Pin {
            pull_up: true,
            driven: p.driven,
            last_level: p.last_level,
            ..Pin::default()
        };
    })
}

fn set_level(k: &Kernel, _c: &mut Caller<'_>, a: &[u64]) -> R {
    let level = a32(a, 1) != 0;
    with_pin(k, a32(a, 0), |p| p.out_level = level)
}

/// Reads the input register: 0 when the pin's input is disabled (as on the
/// chip, an output-only pin reads 0).
fn get_level(k: &Kernel, _c: &mut Caller<'_>, a: &[u64]) -> R {
    let n = a32(a, 0);
    let (mut g, _) = k.enter_any()?;
    if n >= NUM_PINS {
        return ret(0);
    }
    ensure_pins(&mut g);
    let p = &g.ext.pins[n as usize];
    ret((p.mode & MODE_INPUT != 0 && level_of(p)) as u32)
}

fn set_direction(k: &Kernel, _c: &mut Caller<'_>, a: &[u64]) -> R {
    let mode = a32(a, 1);
    if ![0, 1, 2, 3, 6, 7].contains(&mode) {
        return ret(ESP_ERR_INVALID_ARG);
    }
    with_pin(k, a32(a, 0), |p| p.mode = mode)
}

fn set_pull_mode(k: &Kernel, _c: &mut Caller<'_>, a: &[u64]) -> R {
    let (up, down) = match a32(a, 1) {
        0 => (true, false),
        1 => (false, true),
        2 => (true, true),
        3 => (false, false),
        _ => return ret(ESP_ERR_INVALID_ARG),
    };
    with_pin(k, a32(a, 0), |p| {
        p.pull_up = up;
        p.pull_down = down;
    })
}

fn set_intr_type(k: &Kernel, _c: &mut Caller<'_>, a: &[u64]) -> R {
    let t = a32(a, 1);
    if t > 5 {
        return ret(ESP_ERR_INVALID_ARG);
    }
    with_pin(k, a32(a, 0), |p| p.intr_type = t)
}

fn intr_enable(k: &Kernel, _c: &mut Caller<'_>, a: &[u64]) -> R {
    with_pin(k, a32(a, 0), |p| p.intr_enabled = true)
}

fn intr_disable(k: &Kernel, _c: &mut Caller<'_>, a: &[u64]) -> R {
    with_pin(k, a32(a, 0), |p| p.intr_enabled = false)
}

fn install_isr_service(k: &Kernel, _c: &mut Caller<'_>, _a: &[u64]) -> R {
    let (mut g, _) = k.enter_any()?;
    if g.ext.isr_service {
        return ret(ESP_ERR_INVALID_STATE);
    }
    g.ext.isr_service = true;
    ret(ESP_OK)
}

fn uninstall_isr_service(k: &Kernel, _c: &mut Caller<'_>, _a: &[u64]) -> R {
    let (mut g, _) = k.enter_any()?;
    g.ext.isr_service = false;
    for p in &mut g.ext.pins {
        p.isr = None;
    }
    Ok(None)
}

fn isr_handler_add(k: &Kernel, c: &mut Caller<'_>, a: &[u64]) -> R {
    let (n, f, arg) = (a32(a, 0), a32(a, 1), a32(a, 2));
    module_func(c, f, "(ptr)", "ISR handler")?;
    {
        let g = k.lock();
        if !g.ext.isr_service {
            return ret(ESP_ERR_INVALID_STATE);
        }
    }
    with_pin(k, n, |p| p.isr = Some((f, arg)))
}

fn isr_handler_remove(k: &Kernel, _c: &mut Caller<'_>, a: &[u64]) -> R {
    with_pin(k, a32(a, 0), |p| p.isr = None)
}

/// Applies an input change now (called under the kernel lock).
pub(crate) fn apply_input(k: &Kernel, st: &mut State, input: GpioInput) -> Result<(), Trap> {
    if input.pin >= NUM_PINS {
        return Err(Trap::host(format!(
            "GPIO input on pin {} (the chip has {NUM_PINS})",
            input.pin
        )));
    }
    ensure_pins(st);
    st.ext.pins[input.pin as usize].driven = Some(input.level);
    update(k, st, input.pin);
    Ok(())
}

/// The "gpio_isr" task: applies scheduled input changes when they are due
/// and runs queued ISR handlers.
pub(crate) fn service(k: &Kernel, me: TaskId, call: &kernel::ModuleCall<'_>) -> Result<(), Trap> {
    k.wait_first_turn(me)?;
    loop {
        let mut g = k.lock();
        if g.end.is_some() {
            return Err(kernel::unwind());
        }
        if let Some((f, arg)) = g.ext.isr_queue.pop_front() {
            drop(g);
            call(f, &[arg as u64])?;
            continue;
        }
        let now = k.now(&g);
        match g.ext.inputs.front().copied() {
            Some(i) if i.at_us <= now => {
                g.ext.inputs.pop_front();
                if let Err(t) = apply_input(k, &mut g, i) {
                    let task = g.tasks[me].name.clone();
                    k.end(&mut g, kernel::EndReason::Trapped { task, trap: t });
                    return Err(kernel::unwind());
                }
            }
            Some(i) => {
                drop(k.block(g, me, Some(i.at_us), WaitOn::Nothing)?);
            }
            None => {
                drop(k.block(g, me, None, WaitOn::Nothing)?);
            }
        }
    }
}
