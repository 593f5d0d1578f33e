<?php

declare(strict_types=1);

namespace Drupal\site_alerts\Controller;

use Drupal\Core\Controller\ControllerBase;
use Drupal\Core\Datetime\DateFormatterInterface;
use Drupal\site_alerts\AlertRepositoryInterface;
use Drupal\site_alerts\AlertScheduler;
use Drupal\site_alerts\DismissalTracker;
use Drupal\site_alerts\SiteAlert;
use Symfony\Component\HttpFoundation\RedirectResponse;
use Symfony\Component\HttpKernel\Exception\NotFoundHttpException;

/**
 * Public pages for past alerts and for hiding a running alert.
 *
 * Dependencies are autowired by ControllerBase from the constructor types.
 */
class AlertArchiveController extends ControllerBase {

  public function __construct(
    protected readonly AlertScheduler $scheduler,
    protected readonly AlertRepositoryInterface $repository,
    protected readonly DismissalTracker $dismissals,
    protected readonly DateFormatterInterface $dateFormatter,
  ) {}

  /**
   * Lists alerts that have ended, newest first.
   */
  public function archive(): array {
    $ended = $this->scheduler->getEndedAlerts();
    usort($ended, static fn (SiteAlert $a, SiteAlert $b): int => $b->endsAt <=> $a->endsAt);

    $items = array_map(fn (SiteAlert $alert): array => [
      'message' => $alert->message,
      'severity' => $alert->severity->value,
      'period' => (string) $this->t('@start to @end', [
        '@start' => $this->dateFormatter->format($alert->startsAt, 'medium'),
        '@end' => $this->dateFormatter->format((int) $alert->endsAt, 'medium'),
      ]),
    ], $ended);

    return [
      '#type' => 'component',
      '#component' => 'site_alerts:alert-list',
      '#props' => [
        'heading' => $this->t('Past alerts'),
        'alerts' => $items,
      ],
      '#slots' => [
        'empty' => $this->t('There have been no site alerts yet.'),
      ],
      '#cache' => [
        'tags' => [AlertRepositoryInterface::CACHE_TAG],
      ],
    ];
  }

  /**
   * Hides a running alert for the current user and returns to the front page.
   */
  public function dismiss(string $alert_id): RedirectResponse {
    $alert = $this->repository->load($alert_id);
    if ($alert === NULL) {
      throw new NotFoundHttpException();
    }
    if (!$this->dismissals->dismiss($this->currentUser(), $alert)) {
      $this->messenger()->addWarning($this->t('This alert stays visible until it ends.'));
    }
    return $this->redirect('<front>');
  }

}
