// The one script the pages load (served as /ui/static/live.js, never inline): on a running
// job's page it follows the job's event stream and appends each new entry, which the
// server has already rendered and escaped. Without JavaScript the page still shows
// everything up to the moment it was loaded.
export const LIVE_SCRIPT = `"use strict";
(function () {
  var list = document.getElementById("journal");
  if (!list || list.getAttribute("data-live") !== "1" || !window.EventSource) return;
  var job = list.getAttribute("data-job");
  var after = list.getAttribute("data-after") || "0";
  var status = document.getElementById("status");
  var note = document.getElementById("live-note");
  var source = new EventSource("/ui/jobs/" + encodeURIComponent(job) + "/events?after=" + encodeURIComponent(after));
  source.addEventListener("entry", function (e) {
    var html = JSON.parse(e.data);
    var tpl = document.createElement("template");
    tpl.innerHTML = html;
    var item = tpl.content.firstElementChild;
    if (item && !document.getElementById(item.id)) list.appendChild(item);
  });
  source.addEventListener("status", function (e) {
    var s = JSON.parse(e.data);
    if (status) {
      status.textContent = s.status;
      status.className = "status " + s.status;
    }
  });
  source.addEventListener("end", function () {
    source.close();
    if (note) note.textContent = "The job has ended. Reload the page for its final figures.";
    var stop = document.querySelector("form.stop");
    if (stop) stop.remove();
  });
})();
`;
