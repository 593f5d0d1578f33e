<?php

namespace Drupal\weather_station\Controller;

use Drupal\Core\Controller\ControllerBase;

/**
 * Reports when each station last delivered data and how big the archive is.
 */
class StationStatusController extends ControllerBase {

  /**
   * Builds the status report page.
   */
  public function status() {
    $config = \Drupal::config('weather_station.settings');
    $database = \Drupal::database();
    $date_formatter = \Drupal::service('date.formatter');
    $timezone = drupal_get_user_timezone();

    $rows = [];
    foreach ($config->get('stations') as $station) {
      $result = $database->query('SELECT COUNT(id) AS readings, MAX(observed) AS last FROM {weather_station_reading} WHERE station = :station', [
        ':station' => $station['id'],
      ])->fetchObject();
      $rows[] = [
        $station['label'],
        $result->readings,
        $result->last ? $date_formatter->format($result->last, 'custom', 'Y-m-d H:i T', $timezone) : $this->t('Never'),
      ];
    }

    $build['stations'] = [
      '#type' => 'table',
      '#header' => [$this->t('Station'), $this->t('Stored readings'), $this->t('Last reading')],
      '#rows' => $rows,
      '#empty' => $this->t('No stations are configured.'),
    ];

    $last_cron = \Drupal::state()->get('system.cron_last');
    $build['cron'] = [
      '#type' => 'item',
      '#title' => $this->t('Last cron run'),
      '#markup' => $last_cron ? $date_formatter->format($last_cron, 'custom', 'Y-m-d H:i T', $timezone) : $this->t('Never'),
    ];

    if ($database->databaseType() == 'mysql') {
      $bytes = $database->query('SELECT data_length + index_length FROM information_schema.TABLES WHERE table_schema = DATABASE() AND table_name = :table', [
        ':table' => $database->getPrefix() . 'weather_station_reading',
      ])->fetchField();
      $build['size'] = [
        '#type' => 'item',
        '#title' => $this->t('Size of the readings table'),
        '#markup' => format_size($bytes),
      ];
    }

    $build['#cache']['max-age'] = 0;
    return $build;
  }

}
