-- Invitations addressed to one email across organizations, by ID (the
-- invitee's list, orgs.InvitationsByEmailLister).
CREATE INDEX invitations_email_idx ON invitations (email, id);
