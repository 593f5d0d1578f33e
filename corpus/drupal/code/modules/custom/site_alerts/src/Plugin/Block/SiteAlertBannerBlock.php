<?php

declare(strict_types=1);

namespace Drupal\site_alerts\Plugin\Block;

use Drupal\Core\Block\Attribute\Block;
use Drupal\Core\Block\BlockBase;
use Drupal\Core\Config\ConfigFactoryInterface;
use Drupal\Core\Form\FormStateInterface;
use Drupal\Core\Plugin\ContainerFactoryPluginInterface;
use Drupal\Core\Session\AccountInterface;
use Drupal\Core\StringTranslation\TranslatableMarkup;
use Drupal\Core\Url;
use Drupal\site_alerts\AlertRepositoryInterface;
use Drupal\site_alerts\AlertScheduler;
use Drupal\site_alerts\AlertSeverity;
use Drupal\site_alerts\DismissalTracker;
use Symfony\Component\DependencyInjection\ContainerInterface;

/**
 * Shows the currently running site alerts as banners at the top of the page.
 */
#[Block(
  id: 'site_alerts_banner',
  admin_label: new TranslatableMarkup('Site alert banner'),
  category: new TranslatableMarkup('Site alerts'),
)]
class SiteAlertBannerBlock extends BlockBase implements ContainerFactoryPluginInterface {

  public function __construct(
    array $configuration,
    $plugin_id,
    $plugin_definition,
    protected readonly AlertScheduler $scheduler,
    protected readonly DismissalTracker $dismissals,
    protected readonly AccountInterface $currentUser,
    protected readonly ConfigFactoryInterface $configFactory,
  ) {
    parent::__construct($configuration, $plugin_id, $plugin_definition);
  }

  /**
   * {@inheritdoc}
   */
  public static function create(ContainerInterface $container, array $configuration, $plugin_id, $plugin_definition): static {
    return new static(
      $configuration,
      $plugin_id,
      $plugin_definition,
      $container->get('site_alerts.scheduler'),
      $container->get('site_alerts.dismissal_tracker'),
      $container->get('current_user'),
      $container->get('config.factory'),
    );
  }

  /**
   * {@inheritdoc}
   */
  public function defaultConfiguration(): array {
    return ['minimum_severity' => AlertSeverity::Info->value] + parent::defaultConfiguration();
  }

  /**
   * {@inheritdoc}
   */
  public function blockForm($form, FormStateInterface $form_state): array {
    $form['minimum_severity'] = [
      '#type' => 'select',
      '#title' => $this->t('Lowest severity to show'),
      '#options' => AlertSeverity::options(),
      '#default_value' => $this->configuration['minimum_severity'],
    ];
    return $form;
  }

  /**
   * {@inheritdoc}
   */
  public function blockSubmit($form, FormStateInterface $form_state): void {
    $this->configuration['minimum_severity'] = $form_state->getValue('minimum_severity');
  }

  /**
   * {@inheritdoc}
   */
  public function build(): array {
    $minimum = AlertSeverity::tryFrom($this->configuration['minimum_severity']);
    $may_dismiss = $this->configFactory->get('site_alerts.settings')->get('dismissible')
      && $this->currentUser->hasPermission('dismiss site alerts');
    $build = [
      '#attached' => ['library' => ['site_alerts/dismiss']],
      '#cache' => [
        'tags' => [AlertRepositoryInterface::CACHE_TAG, 'config:site_alerts.settings'],
        'contexts' => ['user'],
        'max-age' => $this->scheduler->getCacheMaxAge(),
      ],
    ];
    foreach ($this->scheduler->getActiveAlerts($minimum) as $alert) {
      if ($this->dismissals->isDismissed($this->currentUser, $alert)) {
        continue;
      }
      $build[$alert->id] = [
        '#type' => 'component',
        '#component' => 'site_alerts:alert-banner',
        '#props' => ['message' => $alert->message, 'severity' => $alert->severity->value],
      ];
      if ($may_dismiss && $alert->severity->isDismissible()) {
        // The dismiss route carries a CSRF token, rendered as a placeholder.
        $url = Url::fromRoute('site_alerts.dismiss', ['alert_id' => $alert->id])->toString(TRUE);
        $url->applyTo($build[$alert->id]);
        $build[$alert->id]['#props']['dismiss_url'] = $url->getGeneratedUrl();
      }
    }
    return $build;
  }

}
