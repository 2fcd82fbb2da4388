## Tanu – English messages. Every key here must exist in kk and ru too (a test checks).

## Navigation and layout
skip-to-content = Skip to content
nav-main = Main menu
nav-organisations = Organisations
nav-rule-sets = Rule sets
nav-tokens = API tokens
nav-api = API
nav-language = Language
nav-login = Log in
nav-logout = Log out
nav-register = Register as a candidate
footer-text = Tanu – recognition of learning outcomes obtained through non-formal education (order No. 508).
save = Save

## Home
home-title = Recognition of non-formal learning
home-lead = Completed a course with a certificate? A college or university can recognise what you learned: apply, pass an interview with its commission, and receive a decision with a protocol.
home-how = How it works
home-step-apply = You apply to a college or university with your statement, a copy of your identity document and your certificate (rule 10).
home-step-check = The commission's secretary checks that the documents are complete (rule 11).
home-step-interview = The commission interviews you to determine your knowledge, abilities and skills (rule 12).
home-step-decision = The commission votes and records its decision in a protocol (rules 9, 13, 14).
home-welcome = Welcome, { $name }
home-operator = Platform operator
home-operator-text = Register the educational organisations that recognise learning outcomes and manage the rule sets.
home-your-organisations = Your organisations
home-candidate = Candidate
home-candidate-text = Your account is ready. Keep your certificate and identity document at hand to apply to a college or university.
home-no-roles = Your account has no roles yet. Ask your organisation's administrator to give you one.

## Log in, registration, invitation
login-title = Log in
login-submit = Log in
login-no-account = No account yet?
register-title = Register as a candidate
register-intro = Create an account to apply for recognition of your learning outcomes.
register-iin-hint = 12 digits. If you have no IIN, give the number of your foreign identity document instead.
register-consent-note = By registering you agree to the processing of your personal data for the recognition procedure.
register-submit = Create account
password-hint = At least 10 characters. A long phrase is easier to remember and harder to guess.
invite-title = Set your password
invite-intro = You have been added to the staff of { $organisation }. Set a password to log in.
invite-submit = Set password and log in

## Fields
field-email = E-mail
field-password = Password
field-full_name = Full name
field-iin = IIN
field-foreign_document = Foreign identity document number
field-name = Name
field-kind = Kind of organisation
field-bin = BIN
field-name_kk = Name in Kazakh
field-name_ru = Name in Russian
field-name_en = Name in English (optional)
field-address = Address
field-registered = Registered
field-position = Position
field-roles = Roles
field-status = Status
field-code = Code
field-title = Title
field-effective_from = In force from
field-effective_to = In force until
field-version = Version
field-updated = Last changed
field-token-name = Name
field-prefix = Begins with
field-created = Created
field-last-used = Last used
field-locale = Language
field-min_teachers = Minimum number of teachers
field-completeness_check_days = Days for the completeness check
field-decision_days = Days to decision
field-appeal_days = Days to appeal
field-role = Role

bin-hint = 12 digits; the last one is a check digit.

## Organisations and staff
orgs-title = Organisations
orgs-new = Register an organisation
orgs-edit = Edit registration
orgs-empty = No organisations yet.
orgs-rule-4 = Rule 4: learning outcomes are recognised by organisations of technical and vocational, post-secondary, higher and postgraduate education.
kind-technical-vocational = Technical and vocational education
kind-post-secondary = Post-secondary education
kind-higher = Higher education
kind-postgraduate = Postgraduate education
kind-general-secondary = General secondary education
kind-preschool = Pre-school education
kind-additional-education = Additional (non-formal) education
staff-title = Staff
staff-add = Add a staff member
staff-empty = No staff yet.
staff-active = Active
staff-inactive = Inactive
staff-invited = Invited
staff-added = The staff member has been added.
staff-invitation-text = They are new to Tanu: give them this link to set their password. It is valid for 14 days and is shown only now.
position-teacher = Teacher
position-specialist = Specialist
position-other = Other
role-org-admin = Administrator
role-secretary = Secretary
role-member = Commission member
role-auditor = Auditor

## Rule sets
rulesets-title = Rule sets
rulesets-intro = Each application is judged under the rule set in force on the day it was filed. Parameters cover what the act leaves open.
rulesets-in-force = in force today
rulesets-params = Parameters
rulesets-dates = Effective dates
rulesets-to-hint = Leave empty while the set has no end date.

## API tokens
tokens-title = API tokens
tokens-intro = Tokens let your organisation's systems call the Tanu API on your behalf. Send one as "Authorization: Bearer <token>".
tokens-create = Create token
tokens-created = Copy the token now: it will not be shown again.
tokens-revoke = Revoke
tokens-revoked = Revoked

## API documentation
api-title = Tanu API v1
api-intro = JSON API for university and college systems. Errors are RFC 9457 problem details with a stable code. Machine-readable description:
api-public = no token needed
api-params = Parameters
api-body = Request body
api-responses = Responses
api-schemas = Schemas

## Errors
error-title = Something is not right
error-code = Code
error-home = Go to the start page
err-id-number-format = { $field }: must be exactly 12 digits.
err-id-number-check-digit = { $field }: the check digit does not match – please check the number for a typo.
err-id-number-never-issued = { $field }: no valid number begins with these eleven digits – please check the number.
err-email-invalid = This is not a valid e-mail address.
err-text-length = { $field }: must be from 1 to { $max } characters.
err-password-policy = The password must be from { $min } to { $max } characters long.
err-rule-4-organisation-not-eligible = Rule 4: only organisations of technical and vocational, post-secondary, higher or postgraduate education recognise learning outcomes; kind "{ $kind }" cannot be registered.
err-unknown-value = { $field }: "{ $value }" is not one of the allowed values.
err-date-range-inverted = { $field }: the end date is before the start date.
err-rule-set-parameter = { $field }: { $reason }.
err-identity-required = Give your IIN or, if you have none, the number of your foreign identity document.
err-not-found = Not found – or you have no access to it.
err-unauthenticated = Please log in.
err-forbidden = Your role does not allow this.
err-bad-credentials = Wrong e-mail or password.
err-too-many-attempts = Too many failed attempts. Try again in { $minutes } minutes.
err-email-taken = An account with this e-mail already exists.
err-iin-taken = A person with this IIN is already registered.
err-bin-taken = An organisation with this BIN is already registered.
err-staff-exists = This person is already on the staff of this organisation.
err-invitation-invalid = This invitation link is not valid: it was already used or has expired. Ask your administrator for a new one.
err-internal = Something went wrong on our side. Nothing you entered was saved; please try again. If it happens again, quote the request id.
err-csrf = The form has expired. Reload the page and send it again.
err-malformed-body = The request body could not be read: { $detail }
err-body-too-large = The request is too large.
err-unsupported-media-type = Send the body as application/json.
err-method-not-allowed = This method is not allowed here.
err-bad-request = The request is not valid.
err-timeout = The request took too long.

## Rule-set parameters
yes = Yes
no = No
ruleset-title-kz-508-2018 = Order No. 508 of 28.09.2018, as first made
ruleset-title-kz-508-2023-07 = Order No. 508 of 28.09.2018 as amended by order No. 212 of 17.07.2023
param-quorum = Quorum of a meeting
param-election-base = Majority in chair elections counted over (rule 8)
param-all-members-teachers = All members must be teachers (rule 7)
param-min-teachers = Fewest teachers among the members (rule 7)
param-completeness-check-days = Days for the completeness check (rule 11)
param-decision-days = Days from a complete check to the decision
param-appeal-days = Days to appeal a decision
param-no-appeals = Appeals not offered
quorum-more-than-half = More than half of the members
quorum-two-thirds = At least two thirds of the members
quorum-all = All members
majority-base-members-taking-part = Members taking part in the vote
majority-base-all-members = All members of the commission
