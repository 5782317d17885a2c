/* The print pages' 打印 button: <button data-print> opens the browser's print dialog
   (a static file, since the Content-Security-Policy allows no inline handler). */
document.addEventListener("click", function (event) {
  const button = event.target instanceof Element ? event.target.closest("[data-print]") : null;
  if (button) {
    event.preventDefault();
    window.print();
  }
});
