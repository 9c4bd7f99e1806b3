//! Shares of a node's send slots: an endpoint may hold at most `cap` slots
//! at once, and all the endpoints of one application together at most
//! `app_cap`. A delivery over either share waits here (up to
//! `HELD_PER_SLOT` per unit of each share, leased and renewed) or goes back to the queue, and the worker's claims leave such endpoints and applications
//! out. A hanging receiver therefore ties up its own share, and a big
//! tenant with many endpoints its application's share, never everyone's
//! slots.

use std::collections::{HashMap, VecDeque};

use herald_core::{AppId, EndpointId};
use herald_store::ClaimedDelivery;

/// Deliveries that may wait here per unit of an endpoint's share.
const HELD_PER_SLOT: usize = 8;

struct Lane {
    app: AppId,
    sending: usize,
    held: VecDeque<ClaimedDelivery>,
}

#[derive(Default)]
struct AppLane {
    sending: usize,
    held: usize,
    /// Its endpoints that have a lane, in the order they get a freed slot.
    endpoints: VecDeque<EndpointId>,
}

/// What to do with a delivery offered to the lanes.
pub enum Admit {
    /// Its endpoint and application have a free share: send it now.
    Send(ClaimedDelivery),
    /// Kept until a request of its endpoint or application ends.
    Held,
    /// Its endpoint has enough waiting already: give the lease back.
    Release(ClaimedDelivery),
}

/// A request ended: what it freed.
pub struct Finished {
    /// A held delivery that takes the freed slot (counted already).
    pub next: Option<ClaimedDelivery>,
    /// The endpoint's application was at its share: more of its deliveries
    /// may wait in the store, left out of claims until now.
    pub app_was_full: bool,
}

pub struct Lanes {
    cap: usize,
    app_cap: usize,
    lanes: HashMap<EndpointId, Lane>,
    apps: HashMap<AppId, AppLane>,
}

impl Lanes {
    pub fn new(cap: usize, app_cap: usize) -> Self {
        Self { cap: cap.max(1), app_cap: app_cap.max(1), lanes: HashMap::new(), apps: HashMap::new() }
    }

    /// Offers `d`; a `Send` counts against its shares at once.
    pub fn admit(&mut self, d: ClaimedDelivery) -> Admit {
        let mut new = false;
        let lane = self.lanes.entry(d.endpoint.id.clone()).or_insert_with(|| {
            new = true;
            Lane { app: d.endpoint.app_id.clone(), sending: 0, held: VecDeque::new() }
        });
        let app = self.apps.entry(lane.app.clone()).or_default();
        if new {
            app.endpoints.push_back(d.endpoint.id.clone());
        }
        if lane.sending < self.cap && app.sending < self.app_cap {
            lane.sending += 1;
            app.sending += 1;
            Admit::Send(d)
        } else if lane.held.len() < HELD_PER_SLOT * self.cap && app.held < HELD_PER_SLOT * self.app_cap {
            lane.held.push_back(d);
            app.held += 1;
            Admit::Held
        } else {
            Admit::Release(d)
        }
    }

    /// A request to `ep` ended: the next held delivery of its endpoint, or
    /// else of another endpoint of its application (in turn), takes the
    /// slot it freed.
    pub fn finished(&mut self, ep: &EndpointId) -> Finished {
        let Some(lane) = self.lanes.get_mut(ep) else { return Finished { next: None, app_was_full: false } };
        lane.sending = lane.sending.saturating_sub(1);
        let app_id = lane.app.clone();
        let Some(app) = self.apps.get_mut(&app_id) else { return Finished { next: None, app_was_full: false } };
        let app_was_full = app.sending >= self.app_cap;
        app.sending = app.sending.saturating_sub(1);
        let mut next = None;
        if app.sending < self.app_cap {
            let cap = self.cap;
            let mut take = |l: &mut Lane| (l.sending < cap).then(|| l.held.pop_front()).flatten();
            // Its own endpoint first, then the others of the application in turn.
            next = self.lanes.get_mut(ep).and_then(&mut take);
            if next.is_none() {
                let found = app.endpoints.iter().position(|e| {
                    self.lanes.get_mut(e).is_some_and(|l| {
                        next = take(l);
                        next.is_some()
                    })
                });
                if let Some(e) = found.and_then(|i| app.endpoints.remove(i)) {
                    app.endpoints.push_back(e);
                }
            }
            if let Some(d) = &next {
                if let Some(l) = self.lanes.get_mut(&d.endpoint.id) {
                    l.sending += 1;
                }
                app.sending += 1;
                app.held -= 1;
            }
        }
        if self.lanes.get(ep).is_some_and(|l| l.sending == 0 && l.held.is_empty()) {
            self.lanes.remove(ep);
            app.endpoints.retain(|e| e != ep);
        }
        if app.sending == 0 && app.endpoints.is_empty() {
            self.apps.remove(&app_id);
        }
        Finished { next, app_was_full }
    }

    /// Endpoints whose share is taken (sending at the cap): claims leave them out.
    pub fn full(&self) -> Vec<EndpointId> {
        self.lanes.iter().filter(|(_, l)| l.sending >= self.cap).map(|(id, _)| id.clone()).collect()
    }

    /// Applications whose share is taken: claims leave their endpoints out.
    pub fn full_apps(&self) -> Vec<AppId> {
        self.apps.iter().filter(|(_, a)| a.sending >= self.app_cap).map(|(id, _)| id.clone()).collect()
    }

    /// Everything held, for giving back on a stop.
    pub fn drain_held(&mut self) -> Vec<ClaimedDelivery> {
        self.apps.values_mut().for_each(|a| a.held = 0);
        self.lanes.values_mut().flat_map(|l| l.held.drain(..)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use herald_store::fixtures::{claimed as delivery_to, claimed_in};

    #[test]
    fn an_endpoint_holds_at_most_its_share_and_hands_it_on_when_a_request_ends() {
        let (a, b) = (EndpointId::generate(1), EndpointId::generate(2));
        let mut lanes = Lanes::new(2, 64);
        assert!(matches!(lanes.admit(delivery_to(1, &a)), Admit::Send(_)));
        assert!(matches!(lanes.admit(delivery_to(2, &a)), Admit::Send(_)));
        assert_eq!(lanes.full(), vec![a.clone()], "two of two: claims skip it");
        for id in 3..3 + 2 * HELD_PER_SLOT as i64 {
            assert!(matches!(lanes.admit(delivery_to(id, &a)), Admit::Held));
        }
        assert!(matches!(lanes.admit(delivery_to(99, &a)), Admit::Release(_)), "enough waiting: back to the queue");
        assert!(matches!(lanes.admit(delivery_to(6, &b)), Admit::Send(_)), "another endpoint is not held back");

        assert_eq!(lanes.finished(&a).next.map(|d| d.delivery_id), Some(3), "the freed share goes to the next held");
        assert_eq!(lanes.full(), vec![a.clone()]);
        assert_eq!(lanes.drain_held().len(), 2 * HELD_PER_SLOT - 1, "the rest are given back on a stop");
        assert!(lanes.finished(&a).next.is_none());
        assert!(lanes.full().is_empty(), "one of two sending: claims may take more");
        assert!(lanes.finished(&a).next.is_none());
        assert!(lanes.finished(&b).next.is_none());
        assert!(lanes.lanes.is_empty() && lanes.apps.is_empty(), "idle endpoints leave no state behind");
    }

    #[test]
    fn an_application_holds_at_most_its_share_over_all_its_endpoints() {
        let (big, other) = (AppId::generate(1), AppId::generate(2));
        let eps: Vec<EndpointId> = (0..4).map(EndpointId::generate).collect();
        let lone = EndpointId::generate(9);
        let mut lanes = Lanes::new(2, 3);
        let mut id = 0;
        let mut next = |ep: &EndpointId, app: &AppId| {
            id += 1;
            claimed_in(id, app, ep)
        };
        // Four endpoints of one application, two deliveries each: three go out.
        let offered: Vec<ClaimedDelivery> = eps.iter().flat_map(|ep| [next(ep, &big), next(ep, &big)]).collect();
        let sent = offered.into_iter().filter(|d| matches!(lanes.admit(d.clone()), Admit::Send(_))).count();
        assert_eq!(sent, 3, "the application's share, though no endpoint is at its own");
        assert_eq!(lanes.full_apps(), vec![big.clone()], "claims leave the application out");
        assert!(matches!(lanes.admit(next(&lone, &other)), Admit::Send(_)), "another application is not held back");

        // eps[0] sends 2, eps[1] sends 1; eps[1] holds 1, eps[2] and eps[3] hold 2 each.
        let done = lanes.finished(&eps[0]);
        assert!(done.app_was_full);
        let d = done.next.expect("a held delivery of another endpoint of the application takes the slot");
        assert_ne!(d.endpoint.id, eps[0], "eps[0] had nothing held");
        let done = lanes.finished(&d.endpoint.id);
        assert!(done.next.is_some(), "the application is at its share again, so the slot is handed on");
        assert_eq!(lanes.full_apps(), vec![big.clone()]);
        let held: usize = lanes.drain_held().len();
        assert_eq!(held, 3, "8 offered, 3 sent, then 2 handed on");

        // What waits is bounded per application too, not only per endpoint.
        let mut lanes = Lanes::new(2, 3);
        let (mut sent, mut kept, mut back) = (0, 0, 0);
        for ep in &eps {
            for _ in 0..10 {
                match lanes.admit(next(ep, &big)) {
                    Admit::Send(_) => sent += 1,
                    Admit::Held => kept += 1,
                    Admit::Release(_) => back += 1,
                }
            }
        }
        assert_eq!((sent, kept, back), (3, 3 * HELD_PER_SLOT, 40 - 3 - 3 * HELD_PER_SLOT));
    }
}
