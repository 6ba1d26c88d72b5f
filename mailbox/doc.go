// Package mailbox turns the chairman's e-mail box into reports and keeps
// the citizens who wrote informed by e-mail.
//
// Inbound: the Ingestor watches one IMAP mailbox (IDLE when the server
// offers it, else polling) and hands every new message to intake, the one
// pipeline. Exactly once rests on three things: the idempotency key of a
// report is the message's Message-ID (or a stable hash when it has none),
// a checkpoint (UIDVALIDITY, last UID) in the state store advances only
// after the message's outcome is stored, and a reply threaded into an
// existing report carries its key in the event it appends, which is checked
// under the report's compare-and-set. A crash between the two stores makes
// the next run process the message again and find it done. A message that
// cannot be parsed or is refused by intake moves to a quarantine folder
// with a staff-visible event; auto-replies and loops are flagged and left.
//
// Outbound: the Mailer sends multipart (plain text and HTML) mail over
// SMTP; the Notifier, a checkpointed live.Consumer named "mail", sends the
// acknowledgement, status changes and public replies exactly once per
// event, with deterministic Message-IDs and In-Reply-To/References pointing
// at the acknowledgement so that mail clients thread them.
//
// Personal data (addresses, names) is never logged; logs carry report
// codes, UIDs and a short hash of the Message-ID.
package mailbox
