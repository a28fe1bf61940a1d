DROP INDEX invitations_email_idx;
