/* TrainingOps, portal and back office: remember the browser's time zone (the "tz" cookie) so pages
   show times in the viewer's zone. Loaded by base.html and by the back office's dashboard and
   calendar. No dependencies. */
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
  } catch (error) { /* an old browser: times stay in the session's zone and UTC */ }
  // A page drawn before the server knew the zone (the first page of a visit, often opened from an
  // email) is drawn once more with it. Only right after the cookie was stored: never a loop.
  document.addEventListener("DOMContentLoaded", function () {
    if (zoneJustRemembered && document.querySelector("[data-needs-viewer-zone]")) {
      window.location.reload();
    }
  });
})();
