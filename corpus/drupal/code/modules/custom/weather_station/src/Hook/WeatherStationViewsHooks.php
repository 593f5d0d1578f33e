<?php

declare(strict_types=1);

namespace Drupal\weather_station\Hook;

use Drupal\Core\Hook\Attribute\Hook;
use Drupal\Core\StringTranslation\StringTranslationTrait;

/**
 * Describes the readings table to Views so sites can build their own reports.
 */
final class WeatherStationViewsHooks {

  use StringTranslationTrait;

  /**
   * Exposes weather_station_reading as a Views base table.
   */
  #[Hook('views_data')]
  public function viewsData(): array {
    $data['weather_station_reading']['table'] = [
      'group' => $this->t('Weather readings'),
      'base' => [
        'field' => 'id',
        'title' => $this->t('Weather readings'),
        'help' => $this->t('Observations reported by weather stations.'),
      ],
    ];
    $data['weather_station_reading']['station'] = [
      'title' => $this->t('Station'),
      'help' => $this->t('The machine name of the reporting station.'),
      'field' => ['id' => 'standard'],
      'filter' => ['id' => 'string'],
      'argument' => ['id' => 'string'],
      'sort' => ['id' => 'standard'],
    ];
    $data['weather_station_reading']['observed'] = [
      'title' => $this->t('Observed'),
      'help' => $this->t('When the observation was made.'),
      'field' => ['id' => 'date'],
      'filter' => ['id' => 'date'],
      'sort' => ['id' => 'date'],
    ];
    $data['weather_station_reading']['temperature'] = [
      'title' => $this->t('Temperature'),
      'help' => $this->t('Air temperature, shown in the units the field is configured for.'),
      'field' => ['id' => 'weather_station_temperature'],
      'filter' => ['id' => 'numeric'],
      'sort' => ['id' => 'standard'],
    ];
    foreach (['humidity' => $this->t('Humidity'), 'wind_speed' => $this->t('Wind speed')] as $column => $title) {
      $data['weather_station_reading'][$column] = [
        'title' => $title,
        'field' => ['id' => 'numeric'],
        'filter' => ['id' => 'numeric'],
        'sort' => ['id' => 'standard'],
      ];
    }
    return $data;
  }

}
