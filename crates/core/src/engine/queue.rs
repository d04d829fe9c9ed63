//! The pending-event set, ordered by (time, sequence number).
//!
//! Events are small plain values (24 bytes: time, sequence, kind and a
//! target index), never boxed closures. The sequence number is assigned when
//! an event is scheduled and is unique, which makes the order total: two
//! events at the same second pop in the order they were scheduled, on every
//! machine.
//!
//! # Why a timing wheel rather than a binary heap
//!
//! A year of the program keeps about a million events pending. A binary heap
//! of a million entries touches some twenty scattered cache lines per pop and
//! spends most of its time waiting on memory. Here pending events are kept by
//! how far ahead they lie:
//!
//! - a **wheel** of [`WHEEL_BUCKETS`] buckets, each [`BUCKET_SECONDS`] of
//!   simulated time wide (about 194 days in all), holds events unsorted;
//!   scheduling appends to one of them;
//! - the **current bucket**, when the clock reaches it, is sorted once by
//!   (time, seq) into a run that pops from the front in order: a sort of a
//!   few thousand contiguous entries, in cache;
//! - events scheduled into the current bucket after it was sorted (an
//!   answer an hour after an inquiry) go to a small **near heap**; a pop takes
//!   the smaller of the run's front and the heap's top;
//! - events beyond the wheel (month ends years ahead, long tails of drawn
//!   delays) wait in an **overflow heap** and move onto the wheel as it turns.
//!
//! Everything in the run and the near heap comes before everything in the
//! wheel, and everything in the wheel before the overflow, so popping the
//! smaller of run and near heap, then turning the wheel, yields exactly the
//! (time, seq) order; a property test holds it to a binary heap on random
//! schedules.
//!
//! # Memory
//!
//! A bucket is a list of fixed-size chunks of [`CHUNK_EVENTS`] events taken
//! from one pool and given back when the bucket is sorted into the run. The
//! pool grows only when more events are pending than ever before, so the
//! steady state allocates nothing and memory follows the events pending (plus
//! at most one part-filled chunk per bucket), never the events ever
//! scheduled or the length of the horizon. Per-bucket vectors would instead
//! each keep the capacity of their busiest turn: the wheel's whole span
//! times its busiest bucket.

use super::time::SimTime;
use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;

/// log2 of [`BUCKET_SECONDS`].
const BUCKET_SECONDS_LOG2: u32 = 12;

/// Width of one wheel bucket: 4,096 s, about 68 minutes. The program
/// schedules most events hours to weeks ahead, so a bucket of a year-long
/// program holds a few thousand events: sorted in cache, and few enough that
/// an event scheduled into the current bucket is rare.
pub const BUCKET_SECONDS: u64 = 1 << BUCKET_SECONDS_LOG2;

/// Buckets on the wheel: 4,096 of them span about 194 days, beyond the
/// program's production, transit, inspection and claim windows together.
pub const WHEEL_BUCKETS: usize = 1 << 12;

const WHEEL_MASK: u64 = WHEEL_BUCKETS as u64 - 1;

/// Events per pool chunk: 64 events of 24 bytes, 1.5 KiB.
pub const CHUNK_EVENTS: usize = 64;

/// Marks the end of a chunk list.
const NO_CHUNK: u32 = u32::MAX;

/// Bits of an event's time within its bucket, sorted by two radix passes.
const RADIX_DIGIT_BITS: u32 = BUCKET_SECONDS_LOG2 / 2;
const RADIX_DIGITS: usize = 1 << RADIX_DIGIT_BITS;

/// Runs up to this long are sorted by comparison; longer ones by radix.
const RADIX_SORT_MIN_EVENTS: usize = 96;

/// Words of the bitmap of non-empty buckets.
const OCCUPANCY_WORDS: usize = WHEEL_BUCKETS / 64;

/// A scheduled event: `kind` and `target` are the model's to interpret
/// (for the escrow program, an event kind and an order slot).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Event {
    pub time: SimTime,
    pub seq: u64,
    pub kind: u8,
    pub target: u32,
}

impl Event {
    const EMPTY: Event = Event {
        time: SimTime::ZERO,
        seq: 0,
        kind: 0,
        target: 0,
    };

    /// The absolute wheel bucket the event falls in.
    #[inline]
    fn bucket(&self) -> u64 {
        self.time.0 >> BUCKET_SECONDS_LOG2
    }

    #[inline]
    fn key(&self) -> (SimTime, u64) {
        (self.time, self.seq)
    }
}

impl Ord for Event {
    fn cmp(&self, other: &Self) -> Ordering {
        self.key().cmp(&other.key())
    }
}

impl PartialOrd for Event {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// A fixed-size piece of a bucket's storage.
#[derive(Clone, Debug)]
struct Chunk {
    events: [Event; CHUNK_EVENTS],
    /// The bucket's next chunk, or [`NO_CHUNK`].
    next: u32,
}

/// The chunks of one wheel bucket: a singly linked list, filled at the tail.
#[derive(Clone, Copy, Debug)]
struct Bucket {
    head: u32,
    tail: u32,
    len: u32,
}

impl Bucket {
    const EMPTY: Bucket = Bucket {
        head: NO_CHUNK,
        tail: NO_CHUNK,
        len: 0,
    };
}

/// A min-priority queue of events by (time, seq).
#[derive(Debug)]
pub struct EventQueue {
    /// The current bucket, sorted; `run[run_next..]` are still pending.
    run: Vec<Event>,
    run_next: usize,
    /// Scratch space of the radix sort of `run`.
    run_scratch: Vec<Event>,
    /// Events of the current bucket (or earlier) scheduled after it was sorted.
    near: BinaryHeap<Reverse<Event>>,
    /// Absolute number of the current bucket (`time >> BUCKET_SECONDS_LOG2`);
    /// the wheel holds buckets `current + 1 ..= current + WHEEL_BUCKETS - 1`.
    current: u64,
    /// Slot `bucket & WHEEL_MASK` holds the unsorted events of `bucket`.
    wheel: Vec<Bucket>,
    /// Storage of the wheel's buckets; `free_chunks` lists the unused ones.
    chunks: Vec<Chunk>,
    free_chunks: Vec<u32>,
    /// Bit `slot` is set when the slot holds events.
    occupied: [u64; OCCUPANCY_WORDS],
    /// Events at or beyond bucket `current + WHEEL_BUCKETS`.
    overflow: BinaryHeap<Reverse<Event>>,
    len: usize,
    next_seq: u64,
    now: SimTime,
}

impl Default for EventQueue {
    fn default() -> EventQueue {
        EventQueue::with_capacity(0)
    }
}

impl EventQueue {
    /// A queue with room for about `capacity` pending events before it grows.
    pub fn with_capacity(capacity: usize) -> EventQueue {
        let per_bucket = (capacity / WHEEL_BUCKETS).clamp(16, 1 << 16);
        let chunk_count = capacity.div_ceil(CHUNK_EVENTS);
        EventQueue {
            run: Vec::with_capacity(per_bucket * 2),
            run_next: 0,
            run_scratch: Vec::with_capacity(per_bucket * 2),
            near: BinaryHeap::with_capacity(per_bucket),
            current: 0,
            wheel: vec![Bucket::EMPTY; WHEEL_BUCKETS],
            chunks: Vec::with_capacity(chunk_count),
            free_chunks: Vec::with_capacity(chunk_count),
            occupied: [0; OCCUPANCY_WORDS],
            overflow: BinaryHeap::new(),
            len: 0,
            next_seq: 0,
            now: SimTime::ZERO,
        }
    }

    /// Schedules an event; it may not lie in the past.
    #[inline]
    pub fn schedule(&mut self, time: SimTime, kind: u8, target: u32) {
        assert!(
            time >= self.now,
            "event of kind {kind} scheduled at {time}, before now ({})",
            self.now
        );
        let seq = self.next_seq;
        self.next_seq += 1;
        self.file(Event {
            time,
            seq,
            kind,
            target,
        });
    }

    /// Puts a numbered event where its time says: the near heap, the
    /// wheel or the overflow.
    #[inline]
    fn file(&mut self, event: Event) {
        self.len += 1;
        let bucket = event.bucket();
        if bucket <= self.current {
            self.near.push(Reverse(event));
        } else if bucket - self.current < WHEEL_BUCKETS as u64 {
            self.file_on_wheel(event, bucket);
        } else {
            self.overflow.push(Reverse(event));
        }
    }

    #[inline]
    fn file_on_wheel(&mut self, event: Event, bucket: u64) {
        let slot = (bucket & WHEEL_MASK) as usize;
        let mut list = self.wheel[slot];
        let offset = list.len as usize % CHUNK_EVENTS;
        if offset == 0 {
            let chunk = self.take_chunk();
            if list.tail == NO_CHUNK {
                list.head = chunk;
                self.occupied[slot / 64] |= 1 << (slot % 64);
            } else {
                self.chunks[list.tail as usize].next = chunk;
            }
            list.tail = chunk;
        }
        self.chunks[list.tail as usize].events[offset] = event;
        list.len += 1;
        self.wheel[slot] = list;
    }

    /// An unused chunk; the pool grows only past its largest size so far.
    #[inline]
    fn take_chunk(&mut self) -> u32 {
        if let Some(chunk) = self.free_chunks.pop() {
            self.chunks[chunk as usize].next = NO_CHUNK;
            return chunk;
        }
        let chunk = u32::try_from(self.chunks.len()).expect("fewer than 2^32 event chunks");
        self.chunks.push(Chunk {
            events: [Event::EMPTY; CHUNK_EVENTS],
            next: NO_CHUNK,
        });
        chunk
    }

    /// The next event if it happens before `end`; advances the clock to it.
    #[inline]
    pub fn pop_before(&mut self, end: SimTime) -> Option<Event> {
        loop {
            let from_run = self.run.get(self.run_next).copied();
            let from_near = self.near.peek().map(|Reverse(event)| *event);
            let (next, is_from_run) = match (from_run, from_near) {
                (Some(run), Some(near)) if near < run => (near, false),
                (Some(run), _) => (run, true),
                (None, Some(near)) => (near, false),
                (None, None) => {
                    if self.turn_wheel() {
                        continue;
                    }
                    return None;
                }
            };
            if next.time >= end {
                return None;
            }
            if is_from_run {
                self.run_next += 1;
            } else {
                self.near.pop();
            }
            self.len -= 1;
            self.now = next.time;
            return Some(next);
        }
    }

    /// Moves the next non-empty bucket (from the wheel, or failing that the
    /// overflow) into the sorted run. False when nothing is pending.
    #[cold]
    fn turn_wheel(&mut self) -> bool {
        let next_bucket = match self.next_occupied_bucket() {
            Some(bucket) => bucket,
            None => match self.overflow.peek() {
                Some(Reverse(event)) => event.bucket(),
                None => return false,
            },
        };
        self.current = next_bucket;
        // Buckets that entered the wheel's span take their overflow events.
        while let Some(Reverse(event)) = self.overflow.peek() {
            let bucket = event.bucket();
            if bucket - self.current >= WHEEL_BUCKETS as u64 {
                break;
            }
            let event = *event;
            self.overflow.pop();
            self.file_on_wheel(event, bucket);
        }
        let slot = (self.current & WHEEL_MASK) as usize;
        self.occupied[slot / 64] &= !(1 << (slot % 64));
        let list = std::mem::replace(&mut self.wheel[slot], Bucket::EMPTY);
        self.run.clear();
        self.run_next = 0;
        let mut chunk = list.head;
        let mut remaining = list.len as usize;
        while chunk != NO_CHUNK {
            let filled = remaining.min(CHUNK_EVENTS);
            self.run
                .extend_from_slice(&self.chunks[chunk as usize].events[..filled]);
            remaining -= filled;
            self.free_chunks.push(chunk);
            chunk = self.chunks[chunk as usize].next;
        }
        self.sort_run();
        true
    }

    /// Sorts the run by (time, seq).
    ///
    /// A bucket receives its events in sequence order: the overflow's events
    /// first (popped by (time, seq), so in sequence order among equal times),
    /// when the bucket comes within the wheel's span, and only then events
    /// scheduled directly, each later than all before it. So a stable sort by
    /// time alone is a sort by (time, seq); long runs take a stable radix
    /// sort on the time's offset in the bucket (two passes of six bits),
    /// short ones a comparison sort on the full key.
    fn sort_run(&mut self) {
        if self.run.len() < RADIX_SORT_MIN_EVENTS {
            // Sequence numbers are unique, so an unstable sort is exact.
            self.run.sort_unstable_by_key(Event::key);
            return;
        }
        let bucket_start = self.current << BUCKET_SECONDS_LOG2;
        let digit_mask = RADIX_DIGITS as u64 - 1;
        self.run_scratch.clear();
        self.run_scratch.resize(self.run.len(), Event::EMPTY);
        for pass in 0..2 {
            let shift = pass * RADIX_DIGIT_BITS;
            let digit =
                |event: &Event| ((event.time.0 - bucket_start) >> shift & digit_mask) as usize;
            let mut starts = [0u32; RADIX_DIGITS];
            for event in &self.run {
                starts[digit(event)] += 1;
            }
            let mut next = 0;
            for start in &mut starts {
                let count = *start;
                *start = next;
                next += count;
            }
            for event in &self.run {
                let slot = &mut starts[digit(event)];
                self.run_scratch[*slot as usize] = *event;
                *slot += 1;
            }
            std::mem::swap(&mut self.run, &mut self.run_scratch);
        }
        debug_assert!(
            self.run
                .windows(2)
                .all(|pair| pair[0].key() < pair[1].key()),
            "the run of bucket {} is out of (time, seq) order",
            self.current
        );
    }

    /// The first non-empty bucket after `current` on the wheel.
    fn next_occupied_bucket(&self) -> Option<u64> {
        let start_slot = ((self.current + 1) & WHEEL_MASK) as usize;
        // Scan the bitmap from the slot after the current one, wrapping once.
        for step in 0..=OCCUPANCY_WORDS {
            let word_index = (start_slot / 64 + step) % OCCUPANCY_WORDS;
            let mut word = self.occupied[word_index];
            if step == 0 {
                word &= u64::MAX << (start_slot % 64);
            } else if step == OCCUPANCY_WORDS {
                word &= !(u64::MAX << (start_slot % 64));
            }
            if word != 0 {
                let slot = word_index as u64 * 64 + u64::from(word.trailing_zeros());
                let distance = slot.wrapping_sub(self.current) & WHEEL_MASK;
                return Some(self.current + distance);
            }
        }
        None
    }

    /// The target of the event about `distance` pops ahead, when the sorted
    /// run of the current bucket holds one: for prefetching what that event
    /// will touch. It overlooks events scheduled into the current bucket
    /// since it was sorted, so it is a guess, never an order.
    #[inline]
    pub fn target_ahead(&self, distance: usize) -> Option<u32> {
        self.run
            .get(self.run_next + distance)
            .map(|event| event.target)
    }

    pub fn now(&self) -> SimTime {
        self.now
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Events scheduled so far.
    pub fn scheduled_count(&self) -> u64 {
        self.next_seq
    }

    /// Every pending event, in the order they would pop: what a saved
    /// simulation state keeps of the queue. The wheel's layout is not kept;
    /// the order of (time, seq) is all that decides what pops next.
    pub fn pending(&self) -> Vec<Event> {
        let mut events = Vec::with_capacity(self.len);
        events.extend_from_slice(&self.run[self.run_next..]);
        events.extend(self.near.iter().map(|Reverse(event)| *event));
        for list in &self.wheel {
            let mut chunk = list.head;
            let mut remaining = list.len as usize;
            while chunk != NO_CHUNK {
                let filled = remaining.min(CHUNK_EVENTS);
                events.extend_from_slice(&self.chunks[chunk as usize].events[..filled]);
                remaining -= filled;
                chunk = self.chunks[chunk as usize].next;
            }
        }
        events.extend(self.overflow.iter().map(|Reverse(event)| *event));
        events.sort_unstable_by_key(Event::key);
        events
    }

    /// A queue whose clock reads `now`, holding `events` (in any order) and
    /// numbering the next event scheduled `next_seq`: the queue of a saved
    /// state. Refused when an event lies before `now`, two events share a
    /// sequence number, or one is numbered `next_seq` or beyond, since
    /// then the (time, seq) order would not be that of the saved run.
    pub fn restore(now: SimTime, next_seq: u64, events: &[Event]) -> Result<EventQueue, String> {
        let mut sorted = events.to_vec();
        sorted.sort_unstable_by_key(Event::key);
        let mut seqs: Vec<u64> = sorted.iter().map(|event| event.seq).collect();
        seqs.sort_unstable();
        if seqs.windows(2).any(|pair| pair[0] == pair[1]) {
            return Err("two pending events share a sequence number".to_string());
        }
        if let Some(event) = sorted.iter().find(|event| event.seq >= next_seq) {
            return Err(format!(
                "a pending event is numbered {} but the next number is {next_seq}",
                event.seq
            ));
        }
        if let Some(event) = sorted.first().filter(|event| event.time < now) {
            return Err(format!(
                "a pending event at {} lies before the clock ({now})",
                event.time
            ));
        }
        let mut queue = EventQueue::with_capacity(sorted.len());
        queue.now = now;
        queue.current = now.0 >> BUCKET_SECONDS_LOG2;
        // Filed in (time, seq) order, so each bucket receives its events in
        // sequence order among equal times, which is what `sort_run` needs.
        for event in sorted {
            queue.file(event);
        }
        queue.next_seq = next_seq;
        Ok(queue)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

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

    #[test]
    fn far_future_events_wait_in_the_overflow_and_come_back_in_order() {
        let mut queue = EventQueue::with_capacity(4);
        let far = BUCKET_SECONDS * WHEEL_BUCKETS as u64 * 3;
        queue.schedule(SimTime(far + 1), 1, 0);
        queue.schedule(SimTime(u64::MAX), 2, 0);
        queue.schedule(SimTime(far), 3, 0);
        queue.schedule(SimTime(1), 4, 0);
        let order: Vec<u8> =
            std::iter::from_fn(|| queue.pop_before(SimTime(u64::MAX)).map(|event| event.kind))
                .collect();
        assert_eq!(order, vec![4, 3, 1]);
        assert_eq!(queue.len(), 1);
    }

    #[test]
    fn an_event_scheduled_after_a_declined_pop_still_comes_first() {
        // Regression guard: a pop that finds only later events turns the
        // wheel past `now`; an event then scheduled between `now` and that
        // bucket must still pop first.
        let mut queue = EventQueue::with_capacity(4);
        queue.schedule(SimTime(BUCKET_SECONDS * 10), 1, 0);
        assert_eq!(queue.pop_before(SimTime(BUCKET_SECONDS)), None);
        queue.schedule(SimTime(BUCKET_SECONDS * 2), 2, 0);
        queue.schedule(SimTime(BUCKET_SECONDS * 10), 3, 0);
        let order: Vec<u8> =
            std::iter::from_fn(|| queue.pop_before(SimTime(u64::MAX)).map(|event| event.kind))
                .collect();
        assert_eq!(order, vec![2, 1, 3]);
    }

    #[test]
    fn crowded_buckets_pop_by_time_then_by_scheduling_order() {
        // Buckets of hundreds of events take the radix sort; ties within a
        // second, and overflow events that join a bucket before the events
        // scheduled into it directly, must still pop by (time, seq).
        let wheel_span = BUCKET_SECONDS * WHEEL_BUCKETS as u64;
        let mut queue = EventQueue::with_capacity(4_096);
        let mut expected = Vec::new();
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut next_offset = |range: u64| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state % range
        };
        let mut seq = 0u64;
        let mut schedule = |queue: &mut EventQueue, time: u64, expected: &mut Vec<(u64, u64)>| {
            queue.schedule(SimTime(time), 0, 0);
            expected.push((time, seq));
            seq += 1;
        };
        // Far buckets first (they wait in the overflow), then the same buckets
        // again once the wheel has turned them into its span.
        for bucket in [wheel_span / BUCKET_SECONDS + 3, 7] {
            for _ in 0..700 {
                let time = bucket * BUCKET_SECONDS + next_offset(64) * 61;
                schedule(&mut queue, time, &mut expected);
            }
        }
        let mut popped = Vec::new();
        while let Some(event) = queue.pop_before(SimTime(wheel_span)) {
            popped.push((event.time.0, event.seq));
        }
        for _ in 0..300 {
            let time = (wheel_span / BUCKET_SECONDS + 3) * BUCKET_SECONDS + next_offset(64) * 61;
            schedule(&mut queue, time, &mut expected);
        }
        while let Some(event) = queue.pop_before(SimTime(u64::MAX)) {
            popped.push((event.time.0, event.seq));
        }
        expected.sort_unstable();
        assert_eq!(popped, expected);
    }

    /// How far ahead a random schedule places an event: ties, the current
    /// bucket, the wheel, just past it, and far beyond.
    fn delay_strategy() -> impl Strategy<Value = u64> {
        let wheel_span = BUCKET_SECONDS * WHEEL_BUCKETS as u64;
        prop_oneof![
            Just(0u64),
            0..8u64,
            0..BUCKET_SECONDS * 2,
            0..wheel_span,
            wheel_span - 8..wheel_span + 8,
            wheel_span..wheel_span * 40,
            Just(u64::MAX / 2),
        ]
    }

    #[derive(Clone, Debug)]
    enum Step {
        Schedule { delay: u64, kind: u8 },
        Pop { horizon: u64 },
    }

    fn step_strategy() -> impl Strategy<Value = Step> {
        prop_oneof![
            3 => (delay_strategy(), any::<u8>()).prop_map(|(delay, kind)| Step::Schedule { delay, kind }),
            2 => prop_oneof![Just(u64::MAX / 4), 0..BUCKET_SECONDS * 64, 0..16u64]
                .prop_map(|horizon| Step::Pop { horizon }),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// The wheel pops exactly what a binary heap of (time, seq) pops, on
        /// random interleavings of scheduling and popping.
        #[test]
        fn the_wheel_pops_in_the_order_of_a_binary_heap_of_time_and_seq(
            steps in prop::collection::vec(step_strategy(), 1..600)
        ) {
            let mut queue = EventQueue::with_capacity(16);
            let mut reference: BinaryHeap<Reverse<(u64, u64, u8)>> = BinaryHeap::new();
            let mut now = 0u64;
            let mut seq = 0u64;
            for step in &steps {
                match *step {
                    Step::Schedule { delay, kind } => {
                        let time = now.saturating_add(delay);
                        queue.schedule(SimTime(time), kind, seq as u32);
                        reference.push(Reverse((time, seq, kind)));
                        seq += 1;
                    }
                    Step::Pop { horizon } => {
                        let end = now.saturating_add(horizon);
                        let expected = match reference.peek() {
                            Some(&Reverse((time, seq, kind))) if time < end => {
                                reference.pop();
                                now = time;
                                Some((time, seq, kind))
                            }
                            _ => None,
                        };
                        let actual = queue
                            .pop_before(SimTime(end))
                            .map(|event| (event.time.0, event.seq, event.kind));
                        prop_assert_eq!(actual, expected);
                        prop_assert_eq!(queue.now(), SimTime(now));
                    }
                }
                prop_assert_eq!(queue.len(), reference.len());
            }
            // Drain both completely.
            while let Some(Reverse((time, seq, kind))) = reference.pop() {
                let actual = queue.pop_before(SimTime(u64::MAX)).map(|event| (event.time.0, event.seq, event.kind));
                if time == u64::MAX {
                    prop_assert_eq!(actual, None);
                    break;
                }
                prop_assert_eq!(actual, Some((time, seq, kind)));
            }
        }
    }
}
