<?php

declare(strict_types=1);

namespace Drupal\weather_station;

/**
 * One observation of a weather station, in metric units.
 */
final class Reading {

  /**
   * Constructs a new Reading object.
   */
  public function __construct(
    public readonly string $station,
    public readonly int $observed,
    public readonly float $temperature,
    public readonly ?int $humidity = NULL,
    public readonly ?float $pressure = NULL,
    public readonly ?float $windSpeed = NULL,
    public readonly ?int $windDirection = NULL,
    public readonly string $source = 'api',
  ) {}

  /**
   * Creates a reading from a row of the weather_station_reading table.
   */
  public static function fromRow(object $row): self {
    return new self(
      station: $row->station,
      observed: (int) $row->observed,
      temperature: (float) $row->temperature,
      humidity: $row->humidity === NULL ? NULL : (int) $row->humidity,
      pressure: $row->pressure === NULL ? NULL : (float) $row->pressure,
      windSpeed: $row->wind_speed === NULL ? NULL : (float) $row->wind_speed,
      windDirection: $row->wind_direction === NULL ? NULL : (int) $row->wind_direction,
      source: $row->source,
    );
  }

  /**
   * The temperature in the requested unit system, rounded to one decimal.
   */
  public function temperatureIn(string $units): float {
    return round($units === 'imperial' ? $this->temperature * 9 / 5 + 32 : $this->temperature, 1);
  }

  /**
   * The database row for this reading.
   */
  public function toRow(): array {
    return [
      'station' => $this->station,
      'observed' => $this->observed,
      'temperature' => $this->temperature,
      'humidity' => $this->humidity,
      'pressure' => $this->pressure,
      'wind_speed' => $this->windSpeed,
      'wind_direction' => $this->windDirection,
      'source' => $this->source,
    ];
  }

}
