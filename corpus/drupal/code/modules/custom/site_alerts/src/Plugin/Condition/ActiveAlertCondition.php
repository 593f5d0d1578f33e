<?php

declare(strict_types=1);

namespace Drupal\site_alerts\Plugin\Condition;

use Drupal\Core\Cache\Cache;
use Drupal\Core\Condition\Attribute\Condition;
use Drupal\Core\Condition\ConditionPluginBase;
use Drupal\Core\Form\FormStateInterface;
use Drupal\Core\Plugin\ContainerFactoryPluginInterface;
use Drupal\Core\StringTranslation\TranslatableMarkup;
use Drupal\site_alerts\AlertRepositoryInterface;
use Drupal\site_alerts\AlertScheduler;
use Drupal\site_alerts\AlertSeverity;
use Symfony\Component\DependencyInjection\ContainerInterface;

/**
 * Passes while an alert of at least the chosen severity is running.
 *
 * Lets site builders show a block, such as a status page link, only during an
 * outage or maintenance window.
 */
#[Condition(
  id: 'site_alerts_active_alert',
  label: new TranslatableMarkup('Active site alert'),
)]
class ActiveAlertCondition extends ConditionPluginBase implements ContainerFactoryPluginInterface {

  public function __construct(
    array $configuration,
    $plugin_id,
    $plugin_definition,
    protected readonly AlertScheduler $scheduler,
  ) {
    parent::__construct($configuration, $plugin_id, $plugin_definition);
  }

  /**
   * {@inheritdoc}
   */
  public static function create(ContainerInterface $container, array $configuration, $plugin_id, $plugin_definition): static {
    return new static($configuration, $plugin_id, $plugin_definition, $container->get('site_alerts.scheduler'));
  }

  /**
   * {@inheritdoc}
   */
  public function defaultConfiguration(): array {
    return ['severity' => AlertSeverity::Warning->value] + parent::defaultConfiguration();
  }

  /**
   * {@inheritdoc}
   */
  public function buildConfigurationForm(array $form, FormStateInterface $form_state): array {
    $form['severity'] = [
      '#type' => 'select',
      '#title' => $this->t('When an alert of at least this severity is active'),
      '#options' => AlertSeverity::options(),
      '#default_value' => $this->configuration['severity'],
    ];
    return parent::buildConfigurationForm($form, $form_state);
  }

  /**
   * {@inheritdoc}
   */
  public function submitConfigurationForm(array &$form, FormStateInterface $form_state): void {
    $this->configuration['severity'] = $form_state->getValue('severity');
    parent::submitConfigurationForm($form, $form_state);
  }

  /**
   * {@inheritdoc}
   */
  public function evaluate(): bool {
    $minimum = AlertSeverity::tryFrom($this->configuration['severity']) ?? AlertSeverity::Warning;
    return (bool) $this->scheduler->getActiveAlerts($minimum);
  }

  /**
   * {@inheritdoc}
   */
  public function summary(): TranslatableMarkup {
    $severity = AlertSeverity::tryFrom($this->configuration['severity']) ?? AlertSeverity::Warning;
    $args = ['%severity' => $severity->label()];
    return $this->isNegated()
      ? $this->t('No %severity (or more urgent) alert is active', $args)
      : $this->t('A %severity (or more urgent) alert is active', $args);
  }

  /**
   * {@inheritdoc}
   */
  public function getCacheTags(): array {
    return Cache::mergeTags(parent::getCacheTags(), [AlertRepositoryInterface::CACHE_TAG]);
  }

  /**
   * {@inheritdoc}
   */
  public function getCacheMaxAge(): int {
    return Cache::mergeMaxAges(parent::getCacheMaxAge(), $this->scheduler->getCacheMaxAge());
  }

}
