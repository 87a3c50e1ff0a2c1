-- SMS signatures set in the console (issue 15): admins of the root federation set the
-- 【…】 signature a federation's campaigns are signed with (the one filed with the SMS
-- provider); a federation without one here falls back to huiji.toml's
-- `campaign_signatures`, then to its own name. Who set it and when; the audit log keeps
-- every change.
CREATE TABLE campaign_signatures (
    org_id    INTEGER NOT NULL CONSTRAINT campaign_signatures_org_key PRIMARY KEY REFERENCES orgs (id),
    -- Without the brackets; huiji_core::campaign::Signature checked it (2–12 characters).
    signature TEXT NOT NULL
        CONSTRAINT campaign_signatures_signature_check CHECK (length(signature) BETWEEN 2 AND 12),
    set_by    TEXT NOT NULL,
    set_at    INTEGER NOT NULL
);
