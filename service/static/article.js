/* Brings the quoted span into view and gives it focus, so keyboard and screen reader
   users land on the quote a citation pointed to. */
(function () {
  "use strict";
  var mark = document.getElementById("quote");
  if (!mark) return;
  mark.scrollIntoView({ block: "center" });
  mark.focus({ preventScroll: true });
})();
