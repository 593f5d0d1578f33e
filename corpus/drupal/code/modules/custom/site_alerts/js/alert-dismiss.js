/**
 * @file
 * Hides a site alert as soon as its dismiss link is followed.
 */
((Drupal, once) => {
  Drupal.behaviors.siteAlertsDismiss = {
    attach(context) {
      once('site-alerts-dismiss', '[data-site-alert-dismiss]', context).forEach(
        (link) => {
          link.addEventListener('click', () => {
            const banner = link.closest('.site-alert');
            if (banner) {
              banner.hidden = true;
            }
          });
        },
      );
    },
  };
})(Drupal, once);
