/* The session form: its dates and times are in the session's own time zone, not the server's.
   Django's calendar widgets would add "Note: You are N hours ahead of server time" under each
   field and shift "Now" to the server's clock; both mislead here. They read the server's offset
   from <body data-admin-utc-offset> once the page has loaded: drop it before then, so "Now" is
   the clock of the person typing, and the form's own help text names the zone. */
document.addEventListener("DOMContentLoaded", function () {
  "use strict";
  delete document.body.dataset.adminUtcOffset;
});
