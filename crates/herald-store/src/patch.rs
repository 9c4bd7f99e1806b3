//! Applying a patch to a record: every field the patch names is replaced,
//! the rest is kept, and `updated_at` becomes `now`.

use herald_core::Timestamp;

use crate::model::*;

fn set<T>(field: &mut T, value: Option<T>) {
    if let Some(v) = value {
        *field = v;
    }
}

impl ApplicationPatch {
    pub fn apply(self, app: &mut Application, now: Timestamp) {
        set(&mut app.name, self.name);
        set(&mut app.uid, self.uid);
        set(&mut app.live, self.live);
        set(&mut app.metadata, self.metadata);
        set(&mut app.profile, self.profile);
        set(&mut app.credential, self.credential);
        set(&mut app.contact_email, self.contact_email);
        app.updated_at = now;
    }
}

impl EventTypePatch {
    pub fn apply(self, et: &mut EventType, now: Timestamp) {
        set(&mut et.description, self.description);
        set(&mut et.schema, self.schema);
        set(&mut et.example, self.example);
        set(&mut et.archived, self.archived);
        et.updated_at = now;
    }
}

impl EndpointPatch {
    /// Enabling or disabling by hand clears the reason Herald disabled it for.
    pub fn apply(self, ep: &mut Endpoint, now: Timestamp) {
        set(&mut ep.url, self.url);
        set(&mut ep.description, self.description);
        set(&mut ep.filter, self.filter);
        if let Some(disabled) = self.disabled {
            if disabled != ep.disabled {
                ep.disabled_at = disabled.then_some(now);
            }
            ep.disabled = disabled;
            ep.disabled_reason = None;
        }
        set(&mut ep.headers, self.headers);
        set(&mut ep.metadata, self.metadata);
        set(&mut ep.profile, self.profile);
        set(&mut ep.credential, self.credential);
        set(&mut ep.auth, self.auth);
        set(&mut ep.expires_at, self.expires_at);
        set(&mut ep.verification, self.verification);
        set(&mut ep.paused, self.paused);
        ep.updated_at = now;
    }

    /// Whether all it does is move the expiry (a temporary endpoint kept
    /// alive), which is not announced as `endpoint.updated`. Every field is
    /// named, so a new one has to be considered here.
    pub fn only_moves_expiry(&self) -> bool {
        let Self {
            url,
            description,
            filter,
            disabled,
            headers,
            metadata,
            profile,
            credential,
            auth,
            expires_at,
            verification,
            paused,
            announce: _,
        } = self;
        expires_at.is_some()
            && url.is_none()
            && description.is_none()
            && filter.is_none()
            && disabled.is_none()
            && headers.is_none()
            && metadata.is_none()
            && profile.is_none()
            && credential.is_none()
            && auth.is_none()
            && verification.is_none()
            && paused.is_none()
    }
}
