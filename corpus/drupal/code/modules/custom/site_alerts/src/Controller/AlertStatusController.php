<?php

namespace Drupal\site_alerts\Controller;

use Drupal\Core\Controller\ControllerBase;

/**
 * Reports how many alerts are stored and when maintenance is next planned.
 */
class AlertStatusController extends ControllerBase {

  /**
   * Builds the status report page.
   */
  public function report() {
    $repository = \Drupal::service('site_alerts.alert_repository');
    $scheduler = \Drupal::service('site_alerts.scheduler');
    $window = \Drupal::state()->get('site_alerts.next_maintenance', []);
    $formatter = \Drupal::service('date.formatter');

    $rows = [
      [$this->t('Stored alerts'), count($repository->loadAll())],
      [$this->t('Showing now'), count($scheduler->getActiveAlerts())],
      [$this->t('Ended'), count($scheduler->getEndedAlerts())],
      [
        $this->t('Next maintenance'),
        !empty($window['start']) ? $formatter->format($window['start'], 'long') : $this->t('None planned'),
      ],
    ];

    if (\Drupal::currentUser()->hasPermission('administer site configuration')) {
      $rows[] = [
        $this->t('Dismissal allowed'),
        \Drupal::config('site_alerts.settings')->get('dismissible') ? $this->t('Yes') : $this->t('No'),
      ];
    }

    return [
      '#type' => 'table',
      '#header' => [$this->t('Item'), $this->t('Value')],
      '#rows' => $rows,
      '#cache' => [
        'max-age' => 0,
      ],
    ];
  }

}
