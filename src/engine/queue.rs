//! The pending-event set, ordered by (time, sequence number).
//!
//! Events are small plain values (24 bytes: time, sequence, kind and a
//! target index), never boxed closures, so the queue is a flat array. The
//! sequence number is assigned when an event is scheduled and is unique,
//! which makes the order total: two events at the same second pop in the
//! order they were scheduled, on every machine.

use super::time::SimTime;
use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;

/// A scheduled event: `kind` and `target` are the model's to interpret
/// (for the escrow program, an event kind and an order slot).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Event {
    pub time: SimTime,
    pub seq: u64,
    pub kind: u8,
    pub target: u32,
}

impl Ord for Event {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.time, self.seq).cmp(&(other.time, other.seq))
    }
}

impl PartialOrd for Event {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// A min-priority queue of events by (time, seq).
#[derive(Debug, Default)]
pub struct EventQueue {
    heap: BinaryHeap<Reverse<Event>>,
    next_seq: u64,
    now: SimTime,
}

impl EventQueue {
    /// A queue with room for `capacity` pending events before it grows.
    pub fn with_capacity(capacity: usize) -> EventQueue {
        EventQueue {
            heap: BinaryHeap::with_capacity(capacity),
            next_seq: 0,
            now: SimTime::ZERO,
        }
    }

    /// Schedules an event; it may not lie in the past.
    pub fn schedule(&mut self, time: SimTime, kind: u8, target: u32) {
        assert!(
            time >= self.now,
            "event of kind {kind} scheduled at {time}, before now ({})",
            self.now
        );
        let seq = self.next_seq;
        self.next_seq += 1;
        self.heap.push(Reverse(Event {
            time,
            seq,
            kind,
            target,
        }));
    }

    /// The next event if it happens before `end`; advances the clock to it.
    pub fn pop_before(&mut self, end: SimTime) -> Option<Event> {
        let Reverse(next) = *self.heap.peek()?;
        if next.time >= end {
            return None;
        }
        self.heap.pop();
        self.now = next.time;
        Some(next)
    }

    pub fn now(&self) -> SimTime {
        self.now
    }

    pub fn len(&self) -> usize {
        self.heap.len()
    }

    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }

    /// Events scheduled so far.
    pub fn scheduled_count(&self) -> u64 {
        self.next_seq
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_pop_by_time_then_by_scheduling_order() {
        let mut queue = EventQueue::with_capacity(8);
        queue.schedule(SimTime(10), 1, 0);
        queue.schedule(SimTime(5), 2, 1);
        queue.schedule(SimTime(10), 3, 2);
        queue.schedule(SimTime(5), 4, 3);
        let order: Vec<u8> =
            std::iter::from_fn(|| queue.pop_before(SimTime(100)).map(|event| event.kind)).collect();
        assert_eq!(order, vec![2, 4, 1, 3]);
    }

    #[test]
    fn nothing_at_or_after_the_end_pops() {
        let mut queue = EventQueue::with_capacity(2);
        queue.schedule(SimTime(7), 1, 0);
        assert_eq!(queue.pop_before(SimTime(7)), None);
        assert_eq!(queue.len(), 1);
    }

    #[test]
    #[should_panic(expected = "before now")]
    fn scheduling_into_the_past_is_a_programming_error() {
        let mut queue = EventQueue::with_capacity(2);
        queue.schedule(SimTime(7), 1, 0);
        queue.pop_before(SimTime(100));
        queue.schedule(SimTime(6), 1, 0);
    }
}
