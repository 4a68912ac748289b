// Small progressive enhancements shared by every page.
document.addEventListener("click", (event) => {
  // Explanations (deadlines, routing reasons) open on click as well as hover.
  const toggle = event.target.closest("[data-toggle-explain]");
  if (toggle) {
    const box = document.getElementById(toggle.dataset.toggleExplain);
    if (box) box.hidden = !box.hidden;
  }
});

document.addEventListener("click", (event) => {
  const button = event.target.closest(".menu-toggle");
  if (!button) return;
  const open = document.body.classList.toggle("nav-open");
  button.setAttribute("aria-expanded", String(open));
});

// One menu group open at a time; a click elsewhere closes it.
document.addEventListener("click", (event) => {
  document.querySelectorAll("details.navgroup[open]").forEach((d) => {
    if (!d.contains(event.target)) d.removeAttribute("open");
  });
});
