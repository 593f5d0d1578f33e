<?php

declare(strict_types=1);

namespace Drupal\weather_station;

use Drupal\Core\Config\ConfigFactoryInterface;
use GuzzleHttp\ClientInterface;
use GuzzleHttp\Exception\GuzzleException;
use Psr\Log\LoggerInterface;
use Symfony\Component\DependencyInjection\Attribute\Autowire;

/**
 * Fetches the latest observation of a station from the station API.
 */
class StationClient {

  /**
   * Constructs a new StationClient object.
   */
  public function __construct(
    protected readonly ClientInterface $httpClient,
    protected readonly ConfigFactoryInterface $configFactory,
    #[Autowire(service: 'logger.channel.weather_station')]
    protected readonly LoggerInterface $logger,
  ) {}

  /**
   * Requests the current conditions of one station.
   *
   * @param string $stationId
   *   The station machine name as configured in weather_station.settings.
   *
   * @return \Drupal\weather_station\Reading|null
   *   The reading, or NULL when the API could not be reached or answered
   *   with an incomplete observation.
   */
  public function fetchLatest(string $stationId): ?Reading {
    $config = $this->configFactory->get('weather_station.settings');
    $url = rtrim((string) $config->get('api_endpoint'), '/') . '/' . rawurlencode($stationId) . '/observations/latest';
    try {
      $response = $this->httpClient->request('GET', $url, [
        'headers' => ['Accept' => 'application/json', 'X-Api-Key' => (string) $config->get('api_key')],
        'timeout' => 10,
      ]);
      $data = json_decode((string) $response->getBody(), TRUE, 16, JSON_THROW_ON_ERROR);
    }
    catch (GuzzleException | \JsonException $e) {
      $this->logger->error('Polling station @station failed: @message', ['@station' => $stationId, '@message' => $e->getMessage()]);
      return NULL;
    }

    if (!isset($data['timestamp'], $data['temperature'])) {
      $this->logger->warning('Station @station sent an observation without time or temperature.', ['@station' => $stationId]);
      return NULL;
    }
    return new Reading(
      station: $stationId,
      observed: (int) $data['timestamp'],
      temperature: (float) $data['temperature'],
      humidity: isset($data['humidity']) ? (int) $data['humidity'] : NULL,
      pressure: isset($data['pressure']) ? (float) $data['pressure'] : NULL,
      windSpeed: isset($data['wind']['speed']) ? (float) $data['wind']['speed'] : NULL,
      windDirection: isset($data['wind']['direction']) ? (int) $data['wind']['direction'] : NULL,
    );
  }

}
