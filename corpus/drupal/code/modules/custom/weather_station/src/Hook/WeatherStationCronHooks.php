<?php

declare(strict_types=1);

namespace Drupal\weather_station\Hook;

use Drupal\Core\Config\ConfigFactoryInterface;
use Drupal\Core\Hook\Attribute\Hook;
use Drupal\Core\Queue\QueueFactory;
use Drupal\weather_station\ReadingRepository;
use Psr\Log\LoggerInterface;
use Symfony\Component\DependencyInjection\Attribute\Autowire;

/**
 * Schedules station polling and prunes old readings on cron.
 */
final class WeatherStationCronHooks {

  /**
   * Constructs a new WeatherStationCronHooks object.
   */
  public function __construct(
    private readonly ConfigFactoryInterface $configFactory,
    private readonly QueueFactory $queueFactory,
    private readonly ReadingRepository $readings,
    #[Autowire(service: 'logger.channel.weather_station')]
    private readonly LoggerInterface $logger,
  ) {}

  /**
   * Queues one poll per configured station and deletes expired readings.
   */
  #[Hook('cron')]
  public function cron(): void {
    $settings = $this->configFactory->get('weather_station.settings');
    $queue = $this->queueFactory->get('weather_station_poll');
    // Skip stations still waiting from the previous run so a slow API does
    // not pile up duplicate items.
    if ($queue->numberOfItems() === 0) {
      foreach ($settings->get('stations') ?? [] as $station) {
        $queue->createItem(['station' => $station['id']]);
      }
    }

    $retention = (int) $settings->get('retention_days');
    if ($retention > 0 && ($deleted = $this->readings->purgeOlderThan($retention))) {
      $this->logger->info('Deleted @count readings older than @days days.', [
        '@count' => $deleted,
        '@days' => $retention,
      ]);
    }
  }

}
