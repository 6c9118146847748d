//! FreeRTOS' ready list of one priority, with its exact order.
//!
//! FreeRTOS keeps each priority's ready tasks in a circular list with an
//! index (`pxIndex`) at the task last selected. Selecting walks the index one
//! step (`listGET_OWNER_OF_NEXT_ENTRY`, skipping the list's end marker); a
//! task that becomes ready is inserted just before the index
//! (`vListInsertEnd`), so it is the last to run in the current round; a
//! removed task at the index moves the index back one step. From that
//! follow the orders scripts observe: equal priorities take turns, a task
//! woken during a round runs after the others, and a task preempted by a
//! higher priority does not get the CPU back first when that one blocks —
//! the next task of its priority does.
//!
//! `items[i]` is position `i + 1` after the end marker (position 0).

use super::kernel::TaskId;

#[derive(Debug, Default, Clone)]
pub(crate) struct ReadyList {
    items: Vec<TaskId>,
    /// 0: the end marker; `i`: `items[i - 1]`.
    index: usize,
}

impl ReadyList {
    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn iter(&self) -> impl Iterator<Item = TaskId> + '_ {
        self.items.iter().copied()
    }

    pub fn contains(&self, t: TaskId) -> bool {
        self.items.contains(&t)
    }

    /// `vListInsertEnd`: `t` goes just before the index.
    pub fn insert_end(&mut self, t: TaskId) {
        debug_assert!(!self.contains(t));
        if self.index == 0 {
            self.items.push(t);
        } else {
            self.items.insert(self.index - 1, t);
            self.index += 1;
        }
    }

    /// `uxListRemove`: an index at `t` steps back to the previous item.
    pub fn remove(&mut self, t: TaskId) {
        let Some(i) = self.items.iter().position(|&x| x == t) else {
            return;
        };
        let pos = i + 1;
        self.items.remove(i);
        if self.index >= pos {
            self.index -= 1;
        }
    }

    /// `listGET_OWNER_OF_NEXT_ENTRY`: steps the index and returns its task.
    pub fn next(&mut self) -> Option<TaskId> {
        if self.items.is_empty() {
            self.index = 0;
            return None;
        }
        self.index += 1;
        if self.index > self.items.len() {
            self.index = 1;
        }
        Some(self.items[self.index - 1])
    }
}

#[cfg(test)]
mod tests {
    use super::ReadyList;

    fn order(l: &mut ReadyList, n: usize) -> Vec<usize> {
        (0..n).map(|_| l.next().unwrap()).collect()
    }

    #[test]
    fn equal_priorities_take_turns() {
        let mut l = ReadyList::default();
        for t in [1, 2, 3] {
            l.insert_end(t);
        }
        assert_eq!(order(&mut l, 7), [1, 2, 3, 1, 2, 3, 1]);
    }

    #[test]
    fn a_task_made_ready_runs_last_in_the_round() {
        let mut l = ReadyList::default();
        l.insert_end(1);
        l.insert_end(2);
        l.insert_end(3);
        assert_eq!(l.next(), Some(1));
        // 4 wakes while 1 runs: after 2 and 3, before 1 again.
        l.insert_end(4);
        assert_eq!(order(&mut l, 5), [2, 3, 4, 1, 2]);
    }

    #[test]
    fn removing_the_running_task_moves_on_to_its_successor() {
        let mut l = ReadyList::default();
        for t in [1, 2, 3] {
            l.insert_end(t);
        }
        assert_eq!(l.next(), Some(1));
        assert_eq!(l.next(), Some(2));
        l.remove(2); // 2 blocks
        assert_eq!(order(&mut l, 3), [3, 1, 3]);
        l.remove(1);
        l.remove(3);
        assert_eq!(l.len(), 0);
        assert_eq!(l.next(), None);
        l.insert_end(5);
        assert_eq!(order(&mut l, 2), [5, 5]);
    }
}
