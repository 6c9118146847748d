#![cfg(feature = "host")]

mod host_util;

use espb_runtime::host::EndReason;
use host_util::*;

#[test]
fn producer_consumer_over_a_queue() {
    let want = "\
got 100 at 0 in cons
sent 100 at 0
created=1 handle=set name=prod
got 101 at 10 in cons
sent 101 at 10
got 102 at 20 in cons
sent 102 at 20
got 103 at 30 in cons
sent 103 at 30
got 104 at 40 in cons
waiting=0
sent 104 at 40
";
    for opt in OPTS {
        let (out, r) = run_script("queue_tasks", opt, virt());
        let st = r.unwrap_or_else(|e| panic!("{opt}: {e}\n{out}"));
        assert_eq!(out, want, "{opt}");
        assert_eq!(st.reason, EndReason::Finished, "{opt}");
        // The producer's last delay ends at 50 ticks; its last calls cost
        // a few µs of device time.
        assert!(
            (500_000..500_050).contains(&st.time_us),
            "{opt}: ended at {} µs",
            st.time_us
        );
    }
}
