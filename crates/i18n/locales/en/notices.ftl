## Notices (e-mail and inbox). Every key must exist in the kk and ru files too (a test checks).
## notice-<kind>-subject and notice-<kind>-body, <kind> as in notify::Kind::as_str.

notice-application-received-subject = Your application { $number } was received
notice-application-received-body = Your application { $number } to { $org } was received. The secretary will check that the documents are complete (rule 11).
notice-application-submitted-subject = New application { $number }
notice-application-submitted-body = { $candidate } submitted application { $number }. Please check that its documents are complete (rule 11).
notice-application-incomplete-subject = Your application { $number } is incomplete
notice-application-incomplete-body = Documents are missing or illegible (rule 11): { $missing }. { $reason } Please correct them and submit again.
notice-application-complete-subject = Your application { $number } is complete
notice-application-complete-body = Your documents are complete (rule 11). The application goes to a meeting of the commission; we will tell you the date.
notice-meeting-scheduled-subject = Commission meeting: { $when }
notice-meeting-scheduled-body = The meeting of { $commission } takes place on { $when } at { $place }. On the agenda: { $agenda }. A calendar file is attached.
notice-meeting-cancelled-subject = Meeting cancelled: { $when }
notice-meeting-cancelled-body = The meeting of { $commission } set for { $when } is cancelled: { $reason }. On its agenda: { $agenda }. The applications return to the queue for a later meeting.
notice-meeting-moved-subject = Meeting moved to { $when }
notice-meeting-moved-body = The meeting of { $commission } set for { $was } is moved: it takes place on { $when } at { $place }. On the agenda: { $agenda }. A new calendar file is attached.
notice-decision-taken-subject = Decision on application { $number }
notice-decision-taken-body = The commission has decided on your application { $number }: { $result }. The decision is formalised in a protocol (rule 9); once it is final you can download the extract.
notice-protocol-final-subject = Protocol No. { $protocol } is final
notice-protocol-final-body = Protocol No. { $protocol } of the meeting of { $commission } is approved and final. You can download and verify it in Tanu.
notice-verify-email-subject = Tanu: confirm your e-mail address
notice-verify-email-body = An account was created for you in Tanu. To confirm that this address is yours, open the link below (valid for 48 hours). If you did not register, ignore this message.
notice-account-exists-subject = Tanu: you already have an account
notice-account-exists-body = Someone tried to register in Tanu again with this address. You already have an account: sign in, or if you forgot the password, ask for a new one on the page below. If this was not you, ignore this message.
notice-password-reset-subject = Tanu: reset your password
notice-password-reset-body = To set a new password, open the link below (valid for one hour, once). All your sessions and API tokens will be ended. If you did not ask for this, ignore this message.
notice-staff-invitation-subject = Tanu: { $org } invites you to its staff
notice-staff-invitation-body = { $org } added you to its staff in Tanu. To accept, open the link below (valid for 14 days). Until you accept, the post grants nothing.
notice-walk-in-claim-subject = Tanu: the code of your application { $number }
notice-walk-in-claim-body = { $org } registered application { $number } on your behalf. To attach it to your own Tanu account, sign in and enter this code on the "Claim an application" page: { $code }. Do not share the code.

## The decision ($result in notice-decision-taken-body)
notice-result-recognised = learning outcomes recognised
notice-result-refused = recognition refused
notice-result-none = no decision adopted; the application returns to a later meeting
