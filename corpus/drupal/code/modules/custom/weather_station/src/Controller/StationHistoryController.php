<?php

declare(strict_types=1);

namespace Drupal\weather_station\Controller;

use Drupal\Core\Controller\ControllerBase;
use Drupal\Core\Datetime\DateFormatterInterface;
use Drupal\Core\StringTranslation\TranslatableMarkup;
use Drupal\weather_station\ReadingRepository;
use Symfony\Component\DependencyInjection\ContainerInterface;
use Symfony\Component\HttpKernel\Exception\NotFoundHttpException;

/**
 * Tabulates the readings of one station over the last day.
 */
final class StationHistoryController extends ControllerBase {

  /**
   * Constructs a new StationHistoryController object.
   */
  public function __construct(
    private readonly ReadingRepository $readings,
    private readonly DateFormatterInterface $dateFormatter,
  ) {}

  /**
   * {@inheritdoc}
   */
  public static function create(ContainerInterface $container): static {
    return new static(
      $container->get('weather_station.reading_repository'),
      $container->get('date.formatter'),
    );
  }

  /**
   * Lists the last 24 hours of readings of a station.
   */
  public function history(string $station): array {
    $this->stationLabel($station);
    $units = (string) $this->config('weather_station.settings')->get('units');
    $rows = [];
    foreach ($this->readings->history($station) as $reading) {
      $rows[] = [
        $this->dateFormatter->format($reading->observed, 'custom', 'D H:i'),
        $reading->temperatureIn($units),
        $reading->humidity ?? '-',
        $reading->pressure === NULL ? '-' : number_format($reading->pressure, 1),
        $reading->windSpeed === NULL ? '-' : number_format($reading->windSpeed, 1),
        $reading->source === 'manual' ? $this->t('Manual') : $this->t('Station'),
      ];
    }
    return [
      '#type' => 'table',
      '#attributes' => ['class' => ['weather-history']],
      '#header' => [
        $this->t('Time'),
        $units === 'imperial' ? $this->t('Temperature (°F)') : $this->t('Temperature (°C)'),
        $this->t('Humidity (%)'),
        $this->t('Pressure (hPa)'),
        $this->t('Wind (m/s)'),
        $this->t('Source'),
      ],
      '#rows' => $rows,
      '#empty' => $this->t('No readings in the last 24 hours.'),
      '#attached' => ['library' => ['weather_station/dashboard']],
      '#cache' => ['max-age' => 600],
    ];
  }

  /**
   * Title callback: the station name.
   */
  public function title(string $station): TranslatableMarkup {
    return $this->t('@station: last 24 hours', ['@station' => $this->stationLabel($station)]);
  }

  /**
   * Finds the configured name of a station, or fails with a 404.
   */
  private function stationLabel(string $station): string {
    foreach ($this->config('weather_station.settings')->get('stations') ?? [] as $configured) {
      if ($configured['id'] === $station) {
        return $configured['label'];
      }
    }
    throw new NotFoundHttpException();
  }

}
