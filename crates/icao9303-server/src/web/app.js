// The upload form of mrtd serve's web page: says how many files are chosen and that verification is under
// way (a polite live region), and refuses to send nothing (an alert, focus back on the first input).
// Everything works without it: the service checks the same on its side.
"use strict";
(function () {
  const form = document.getElementById("upload");
  if (!form) return;
  const status = document.getElementById("upload-status");
  const error = document.getElementById("upload-error");
  const inputs = Array.from(form.querySelectorAll("input[type=file]"));
  const chosen = () => inputs.reduce((n, input) => n + input.files.length, 0);
  form.addEventListener("change", function () {
    const n = chosen();
    error.textContent = "";
    status.textContent = n === 0 ? "" : n + (n === 1 ? " file chosen." : " files chosen.");
  });
  form.addEventListener("submit", function (event) {
    const n = chosen();
    if (n === 0) {
      event.preventDefault();
      status.textContent = "";
      error.textContent = "Choose a dump folder, its files, or a DTC-VC file first.";
      inputs[0].focus();
      return;
    }
    error.textContent = "";
    status.textContent = "Sending " + n + (n === 1 ? " file" : " files") + " and verifying\u2026";
    const button = form.querySelector("button[type=submit]");
    if (button) {
      // After the browser has taken the submission: a second press would verify twice.
      setTimeout(function () { button.disabled = true; }, 0);
    }
  });
})();
