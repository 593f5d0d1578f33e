<?php

declare(strict_types=1);

namespace Drupal\weather_station\Controller;

use Drupal\Core\Controller\ControllerBase;
use Drupal\Core\Datetime\DateFormatterInterface;
use Drupal\Core\Url;
use Drupal\weather_station\AlertEvaluator;
use Drupal\weather_station\ReadingRepository;

/**
 * Shows one tile with the current conditions per configured station.
 *
 * ControllerBase autowires the constructor arguments.
 */
final class StationDashboardController extends ControllerBase {

  /**
   * Constructs a new StationDashboardController object.
   */
  public function __construct(
    private readonly ReadingRepository $readings,
    private readonly AlertEvaluator $alerts,
    private readonly DateFormatterInterface $dateFormatter,
  ) {}

  /**
   * Builds the public weather dashboard.
   */
  public function dashboard(): array {
    $settings = $this->config('weather_station.settings');
    $units = (string) $settings->get('units');
    $build = [
      '#type' => 'container',
      '#attributes' => ['class' => ['weather-dashboard']],
      '#attached' => ['library' => ['weather_station/dashboard']],
      '#cache' => ['max-age' => 600, 'tags' => ['config:weather_station.settings']],
    ];
    $reported = FALSE;
    foreach ($settings->get('stations') ?? [] as $station) {
      $reading = $this->readings->latest($station['id']);
      if ($reading === NULL) {
        continue;
      }
      $tile = [
        '#type' => 'component',
        '#component' => 'weather_station:weather-tile',
        '#props' => [
          'station' => $station['label'],
          'temperature' => $reading->temperatureIn($units),
          'unit' => $units === 'imperial' ? '°F' : '°C',
          'humidity' => $reading->humidity,
          'wind_speed' => $reading->windSpeed,
          'observed' => $this->dateFormatter->formatTimeDiffSince($reading->observed),
          'history_url' => Url::fromRoute('weather_station.history', ['station' => $station['id']])->toString(),
        ],
      ];
      foreach ($this->alerts->evaluate($reading) as $delta => $alert) {
        $tile['#slots']['alerts'][$delta] = [
          '#type' => 'component',
          '#component' => 'weather_station:alert-banner',
          '#props' => ['level' => 'warning', 'message' => (string) $alert],
        ];
      }
      $build[$station['id']] = $tile;
      $reported = TRUE;
    }
    if (!$reported) {
      $build['empty'] = ['#markup' => $this->t('No station has reported yet.')];
    }
    return $build;
  }

}
