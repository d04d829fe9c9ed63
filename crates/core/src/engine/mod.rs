//! The discrete-event engine: simulated time, the event queue and the random
//! streams. It knows nothing of escrow; the program model in `program/`
//! drives it.
//!
//! Invariants this layer guarantees, on which determinism rests:
//! - time is an integer ([`SimTime`], seconds since the scenario start) and
//!   the engine never reads the wall clock;
//! - events pop in a total order: by time, then by the sequence number given
//!   when they were scheduled;
//! - every random draw comes from a ChaCha stream derived from the scenario
//!   seed and a stream name, and floats that shape the trajectory are made
//!   with [`math`] (and `libm`), never the platform's math library.

pub mod chacha;
pub mod math;
pub mod prefetch;
pub mod queue;
pub mod random;
pub mod time;

pub use queue::{Event, EventQueue};
pub use random::{OrderRandom, Phase, PhaseDraws, Streams};
pub use time::SimTime;
