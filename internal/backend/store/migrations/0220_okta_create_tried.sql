-- create_tried marks an app user whose create the engine sent without
-- seeing it succeed (a timeout, a dropped connection, an answer that did
-- not show the user): the account may exist all the same, so offboarding
-- the user looks it up by userName before it concludes there is none.
ALTER TABLE okta_app_user_state ADD COLUMN create_tried INTEGER NOT NULL DEFAULT 0;
