//! Per-endpoint shares of a node's send slots. An endpoint may hold at most
//! `cap` slots at once; deliveries of an endpoint at its cap wait here (up
//! to `HELD_PER_SLOT * cap` of them, leased and renewed) or go back to the
//! queue, and the
//! worker's claims leave such endpoints out. A hanging receiver therefore
//! ties up its own share, never everyone's slots.

use std::collections::{HashMap, VecDeque};

use herald_core::EndpointId;
use herald_store::ClaimedDelivery;

/// Deliveries that may wait here per unit of an endpoint's share.
const HELD_PER_SLOT: usize = 8;

#[derive(Default)]
struct Lane {
    sending: usize,
    held: VecDeque<ClaimedDelivery>,
}

/// What to do with a delivery offered to the lanes.
pub enum Admit {
    /// Its endpoint has a free share: send it now.
    Send(ClaimedDelivery),
    /// Kept until one of its endpoint's requests ends.
    Held,
    /// Its endpoint has enough waiting already: give the lease back.
    Release(ClaimedDelivery),
}

pub struct Lanes {
    cap: usize,
    lanes: HashMap<EndpointId, Lane>,
}

impl Lanes {
    pub fn new(cap: usize) -> Self {
        Self { cap: cap.max(1), lanes: HashMap::new() }
    }

    /// Offers `d`; a `Send` counts against its endpoint's share at once.
    pub fn admit(&mut self, d: ClaimedDelivery) -> Admit {
        let lane = self.lanes.entry(d.endpoint.id.clone()).or_default();
        if lane.sending < self.cap {
            lane.sending += 1;
            Admit::Send(d)
        } else if lane.held.len() < HELD_PER_SLOT * self.cap {
            lane.held.push_back(d);
            Admit::Held
        } else {
            Admit::Release(d)
        }
    }

    /// A request to `ep` ended: its next held delivery, if any, takes the
    /// share it freed.
    pub fn finished(&mut self, ep: &EndpointId) -> Option<ClaimedDelivery> {
        let lane = self.lanes.get_mut(ep)?;
        lane.sending = lane.sending.saturating_sub(1);
        let next = lane.held.pop_front();
        if next.is_some() {
            lane.sending += 1;
        } else if lane.sending == 0 {
            self.lanes.remove(ep);
        }
        next
    }

    /// Endpoints whose share is taken (sending at the cap): claims leave them out.
    pub fn full(&self) -> Vec<EndpointId> {
        self.lanes.iter().filter(|(_, l)| l.sending >= self.cap).map(|(id, _)| id.clone()).collect()
    }

    /// Everything held, for giving back on a stop.
    pub fn drain_held(&mut self) -> Vec<ClaimedDelivery> {
        self.lanes.values_mut().flat_map(|l| l.held.drain(..)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use herald_store::fixtures::claimed as delivery_to;

    #[test]
    fn an_endpoint_holds_at_most_its_share_and_hands_it_on_when_a_request_ends() {
        let (a, b) = (EndpointId::generate(1), EndpointId::generate(2));
        let mut lanes = Lanes::new(2);
        assert!(matches!(lanes.admit(delivery_to(1, &a)), Admit::Send(_)));
        assert!(matches!(lanes.admit(delivery_to(2, &a)), Admit::Send(_)));
        assert_eq!(lanes.full(), vec![a.clone()], "two of two: claims skip it");
        for id in 3..3 + 2 * HELD_PER_SLOT as i64 {
            assert!(matches!(lanes.admit(delivery_to(id, &a)), Admit::Held));
        }
        assert!(matches!(lanes.admit(delivery_to(99, &a)), Admit::Release(_)), "enough waiting: back to the queue");
        assert!(matches!(lanes.admit(delivery_to(6, &b)), Admit::Send(_)), "another endpoint is not held back");

        assert_eq!(lanes.finished(&a).map(|d| d.delivery_id), Some(3), "the freed share goes to the next held");
        assert_eq!(lanes.full(), vec![a.clone()]);
        assert_eq!(lanes.drain_held().len(), 2 * HELD_PER_SLOT - 1, "the rest are given back on a stop");
        assert!(lanes.finished(&a).is_none());
        assert!(lanes.full().is_empty(), "one of two sending: claims may take more");
        assert!(lanes.finished(&a).is_none());
        assert!(lanes.finished(&b).is_none());
        assert!(lanes.lanes.is_empty(), "idle endpoints leave no state behind");
    }
}
