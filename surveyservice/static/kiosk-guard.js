// A tablet locked in kiosk mode shows the kiosk, wherever the browser is sent (the
// Back button, a bookmark, a typed address): staff leave it with the PIN. Loaded in the
// head of every signed-in page, before anything of the page is shown.
(function () {
  try {
    const kiosk = localStorage.getItem("surveyservice-kiosk-url");
    // The sign-in page is where the kiosk itself sends staff whose sign-in expired.
    if (
      location.pathname !== "/sign-in" &&
      kiosk &&
      localStorage.getItem("surveyservice-kiosk-pin") &&
      !sessionStorage.getItem("surveyservice-kiosk-away")
    ) {
      location.replace(kiosk);
    }
  } catch {
    // No storage here: no kiosk either.
  }
})();
