-- A union's contact details (issue 13 item 8): address, phone and contact person, edited
-- by its admins (audited) and shown to workers on the result, status and card pages and in
-- the decision SMS. One row per union that has any; an empty part is ''.
CREATE TABLE org_contacts (
    org_id     INTEGER PRIMARY KEY REFERENCES orgs (id),
    address    TEXT NOT NULL DEFAULT ''
        CONSTRAINT org_contacts_address_check CHECK (length(address) <= 100),
    phone      TEXT NOT NULL DEFAULT ''
        CONSTRAINT org_contacts_phone_check CHECK (length(phone) <= 20),
    person     TEXT NOT NULL DEFAULT ''
        CONSTRAINT org_contacts_person_check CHECK (length(person) <= 20),
    updated_at INTEGER NOT NULL,
    updated_by TEXT NOT NULL
);
