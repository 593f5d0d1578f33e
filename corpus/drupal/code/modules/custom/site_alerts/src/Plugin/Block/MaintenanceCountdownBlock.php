<?php

namespace Drupal\site_alerts\Plugin\Block;

use Drupal\Core\Annotation\Translation;
use Drupal\Core\Block\Annotation\Block;
use Drupal\Core\Block\BlockBase;

/**
 * Provides a countdown to the next announced maintenance window.
 *
 * @Block(
 *   id = "site_alerts_maintenance_countdown",
 *   admin_label = @Translation("Maintenance countdown"),
 *   category = @Translation("Site alerts")
 * )
 */
class MaintenanceCountdownBlock extends BlockBase {

  /**
   * {@inheritdoc}
   */
  public function build() {
    $window = \Drupal::state()->get('site_alerts.next_maintenance', []);
    if (empty($window['start']) || $window['start'] < \Drupal::time()->getRequestTime()) {
      return [];
    }

    $remaining = $window['start'] - \Drupal::time()->getRequestTime();
    return [
      '#theme' => 'item_list',
      '#title' => $this->t('Planned maintenance'),
      '#items' => [
        $this->t('Starts in @interval.', [
          '@interval' => \Drupal::service('date.formatter')->formatInterval($remaining, 2),
        ]),
        $this->t('Expected downtime: @minutes minutes.', [
          '@minutes' => $window['duration'] ?? 30,
        ]),
      ],
      '#cache' => [
        'max-age' => 60,
      ],
    ];
  }

}
