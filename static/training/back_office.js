/* TrainingOps back office: remember the browser's time zone (the "tz" cookie the portal also sets),
   so the dashboard and the calendar show times in the viewer's zone. No dependencies. */
(function () {
  "use strict";
  var zoneJustRemembered = false;
  try {
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    var cookie = "tz=" + encodeURIComponent(zone);
    if (zone && document.cookie.indexOf(cookie) === -1) {
      document.cookie = cookie + ";path=/;max-age=31536000;samesite=lax";
      zoneJustRemembered = document.cookie.indexOf(cookie) !== -1;
    }
  } catch (error) { /* an old browser: times stay in UTC */ }
  // Drawn once more with the zone, only right after the cookie was stored: never a loop.
  document.addEventListener("DOMContentLoaded", function () {
    if (zoneJustRemembered && document.querySelector("[data-needs-viewer-zone]")) {
      window.location.reload();
    }
  });
})();
