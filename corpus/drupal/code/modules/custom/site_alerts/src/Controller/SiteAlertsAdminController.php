<?php

declare(strict_types=1);

namespace Drupal\site_alerts\Controller;

use Drupal\Component\Datetime\TimeInterface;
use Drupal\Core\Controller\ControllerBase;
use Drupal\Core\Datetime\DateFormatterInterface;
use Drupal\site_alerts\AlertRepositoryInterface;
use Drupal\site_alerts\SiteAlert;
use Symfony\Component\DependencyInjection\ContainerInterface;

/**
 * Lists every scheduled, running and ended alert for administrators.
 */
class SiteAlertsAdminController extends ControllerBase {

  public function __construct(
    protected readonly AlertRepositoryInterface $repository,
    protected readonly DateFormatterInterface $dateFormatter,
    protected readonly TimeInterface $time,
  ) {}

  /**
   * {@inheritdoc}
   */
  public static function create(ContainerInterface $container): static {
    return new static(
      $container->get('site_alerts.alert_repository'),
      $container->get('date.formatter'),
      $container->get('datetime.time'),
    );
  }

  /**
   * Builds the table of alerts.
   */
  public function overview(): array {
    $now = $this->time->getRequestTime();
    $rows = [];
    foreach ($this->repository->loadAll() as $alert) {
      $rows[$alert->id] = [
        'message' => $alert->message,
        'severity' => $alert->severity->label(),
        'starts' => $this->dateFormatter->format($alert->startsAt, 'short'),
        'ends' => $alert->endsAt ? $this->dateFormatter->format($alert->endsAt, 'short') : $this->t('Until removed'),
        'status' => $this->statusLabel($alert, $now),
      ];
    }

    return [
      'alerts' => [
        '#type' => 'table',
        '#header' => [
          'message' => $this->t('Message'),
          'severity' => $this->t('Severity'),
          'starts' => $this->t('Starts'),
          'ends' => $this->t('Ends'),
          'status' => $this->t('Status'),
        ],
        '#rows' => $rows,
        '#empty' => $this->t('No alerts have been scheduled.'),
      ],
      '#cache' => [
        'tags' => [AlertRepositoryInterface::CACHE_TAG],
        'max-age' => 60,
      ],
    ];
  }

  /**
   * Describes where an alert is in its schedule.
   */
  protected function statusLabel(SiteAlert $alert, int $now): string {
    return match (TRUE) {
      $alert->isActiveAt($now) => (string) $this->t('Showing'),
      $alert->hasEndedBy($now) => (string) $this->t('Ended'),
      default => (string) $this->t('Starts in @interval', [
        '@interval' => $this->dateFormatter->formatDiff($now, $alert->startsAt, ['granularity' => 2]),
      ]),
    };
  }

}
