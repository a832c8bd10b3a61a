// Responsibility list: small conveniences only; every form works without them.
document.addEventListener("DOMContentLoaded", function () {
  var form = document.getElementById("update-form");
  if (!form) { return; }
  var status = form.querySelector("select[name=status]");
  var progress = form.querySelector("input[name=progress]");
  if (status && progress && !progress.disabled) {
    // Marking done means 100 %: say so in the form rather than surprise the person afterwards.
    status.addEventListener("change", function () {
      if (status.value === "done") { progress.value = 100; }
    });
  }
});
